// Which compiled variant of the quantized kernels the CPU backend runs: the same Swift source built
// for baseline x86-64/arm64 (CPUKernelsBaseline) and for AVX2+FMA (CPUKernelsAVX2, -target-cpu haswell).
// Chosen once from the CPU's feature flags; both give bit-identical results (no FP contraction).

import CPUKernelABI
import CPUKernelsAVX2
import CPUKernelsBaseline
import Foundation

/// A variant of the quantized matmul kernels.
public enum CPUKernelSet: String, Sendable, CaseIterable {
    /// 128-bit lanes: any x86-64 or arm64 CPU.
    case baseline
    /// 256-bit lanes (AVX2, FMA, BMI2, F16C, MOVBE: the haswell / x86-64-v3 level).
    case avx2

    /// The fastest variant this CPU runs: `SLORA_CPU_KERNELS=baseline|avx2` overrides (an unsupported
    /// choice falls back to baseline).
    public static var detected: CPUKernelSet {
        let supported = supportedByThisCPU
        if let forced = ProcessInfo.processInfo.environment["SLORA_CPU_KERNELS"].flatMap(CPUKernelSet.init(rawValue:)) {
            return supported.contains(forced) ? forced : .baseline
        }
        return supported.contains(.avx2) ? .avx2 : .baseline
    }

    /// Variants this CPU can run, from the flags of /proc/cpuinfo (Linux x86-64); baseline elsewhere.
    public static var supportedByThisCPU: [CPUKernelSet] {
        #if arch(x86_64) && os(Linux)
            guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
            else { return [.baseline] }
            let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
            let haswell: Set = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "popcnt", "abm"]
            return haswell.isSubset(of: flags) ? [.baseline, .avx2] : [.baseline]
        #else
            return [.baseline]
        #endif
    }

    /// `QuantizedRows.compute` of this variant.
    @inline(__always)
    func compute(_ job: QuantizedRowJob, tokens: Int, outputs: Range<Int>, rowScales: UnsafeMutablePointer<Float>) {
        switch self {
        case .baseline: CPUKernelsBaseline.QuantizedRows.compute(job, tokens: tokens, outputs: outputs, rowScales: rowScales)
        case .avx2: CPUKernelsAVX2.QuantizedRows.compute(job, tokens: tokens, outputs: outputs, rowScales: rowScales)
        }
    }

    /// `QuantizedRows.quantizeActivations` of this variant.
    func quantizeActivations(_ x: UnsafePointer<Float>, tokens: Int, job: QuantizedRowJob) {
        switch self {
        case .baseline: CPUKernelsBaseline.QuantizedRows.quantizeActivations(x, tokens: tokens, job: job)
        case .avx2: CPUKernelsAVX2.QuantizedRows.quantizeActivations(x, tokens: tokens, job: job)
        }
    }
}
