// The op-by-op parity check's machinery: identical random inputs on the CUDA backend and the CPU
// reference (the CPU gets exactly the values the GPU stores, bf16-rounded where the GPU rounds), GPU
// outputs poisoned with NaN before each run, and the comparison max|Δ| / max|ref| (NaN fails).

import Backend
import CPUBackend
import CUDABackend
import Foundation
import MemoryPool

/// Runs parity cases of one CUDA backend (one storage type) against the CPU backend.
final class ParityHarness<G: ParityDevice> {
    let gpu: G
    let cpu: CPUBackend
    let report: CheckReport
    /// max|Δ| / max|ref| allowed: 1e-2 in bf16 (the bound), 1e-4 in the exact f32 mode.
    let bound: Double
    var random: SeededRandom

    init(gpu: G, cpu: CPUBackend, report: CheckReport, seed: UInt64) {
        self.gpu = gpu
        self.cpu = cpu
        self.report = report
        self.bound = gpu.roundsCompact ? 1e-2 : 1e-4
        self.random = SeededRandom(seed: seed)
    }

    var mode: String { gpu.storageName }

    // MARK: - Inputs

    /// `values` as the GPU holds them in `precision`.
    func stored(_ values: [Float], _ precision: TensorPrecision) -> [Float] {
        precision == .compact && gpu.roundsCompact ? values.map(BFloat16.rounded) : values
    }

    /// The same values on both backends.
    func pair(_ values: [Float], _ precision: TensorPrecision) -> (gpu: G.Tensor, cpu: CPUTensor) {
        (gpu.upload(values, precision: precision), cpu.upload(stored(values, precision)))
    }

    /// Random N(0, scale²) values on both backends.
    func randomPair(_ count: Int, _ precision: TensorPrecision, scale: Float = 1) -> (gpu: G.Tensor, cpu: CPUTensor) {
        pair(random.gaussians(count, scale: scale), precision)
    }

    /// An output: poisoned (NaN) on the GPU, zero on the CPU.
    func output(_ count: Int, _ precision: TensorPrecision) -> (gpu: G.Tensor, cpu: CPUTensor) {
        let g = gpu.makeTensor(count: count, precision: precision)
        gpu.poison(g)
        return (g, cpu.makeTensor(count: count))
    }

    /// A random `[rows, cols]` weight on both backends (the CPU gets the stored values).
    func weight(rows: Int, cols: Int, scale: Float) -> (gpu: G.Weight, cpu: CPUWeight) {
        let values = random.gaussians(rows * cols, scale: scale)
        return (gpu.makeWeight(values, rows: rows, cols: cols), cpu.makeWeight(stored(values, .compact), rows: rows, cols: cols))
    }

    /// A pool of `pageCount` pages filled with N(0, scale²) values on both backends.
    func pool(pageCount: Int, geometry: PageGeometry, scale: Float) -> (gpu: G.Tensor, cpu: CPUTensor) {
        let values = random.gaussians(pageCount * geometry.elementsPerPage, scale: scale)
        let pages = (0..<pageCount).map { PageIndex($0) }
        let g = gpu.makePool(pageCount: pageCount, geometry: geometry)
        gpu.writeAdapter(values, pages: pages, pool: g, geometry: geometry)
        let c = cpu.makePool(pageCount: pageCount, geometry: geometry)
        cpu.writeAdapter(stored(values, .compact), pages: pages, pool: c, geometry: geometry)
        return (g, c)
    }

    // MARK: - Comparison

    /// Compares the first `count` elements (where `mask` is true, if given) and records a row.
    /// - Parameter nanAware: NaN in the reference is expected (an untouched poisoned element); NaN on
    ///   exactly one side fails (a missing or a stray write).
    func check(
        _ op: String, _ caseName: String, gpu g: G.Tensor, cpu c: CPUTensor, count: Int, mask: [Bool]? = nil,
        nanAware: Bool = false
    ) {
        compare(op, caseName, ours: gpu.download(g, count: count), reference: cpu.download(c, count: count), mask: mask, nanAware: nanAware)
    }

    /// `check` on host arrays.
    func compare(_ op: String, _ caseName: String, ours: [Float], reference: [Float], mask: [Bool]? = nil, nanAware: Bool = false) {
        let count = min(ours.count, reference.count)
        var maxDiff = 0.0
        var maxRef = 0.0
        var nanCount = 0
        var compared = 0
        var worst = -1
        for i in 0..<count where mask?[i] ?? true {
            let a = ours[i]
            let b = reference[i]
            if nanAware && (a.isNaN || b.isNaN) {
                if a.isNaN != b.isNaN { nanCount += 1 }
                continue
            }
            if a.isNaN || !a.isFinite { nanCount += 1; continue }
            compared += 1
            let diff = Double(abs(a - b))
            if diff > maxDiff {
                maxDiff = diff
                worst = i
            }
            maxRef = max(maxRef, Double(abs(b)))
        }
        let error = maxDiff / max(maxRef, 1e-30)
        // An all-zero reference would make any output pass: no case is built to have one.
        let passed = nanCount == 0 && error <= bound && compared > 0 && maxRef > 0
        var note = nanCount > 0 ? "\(nanCount) NaN/mismatched-NaN" : ""
        if compared == 0 { note = "nothing compared" }
        if maxRef == 0 && compared > 0 { note = "reference is all zero" }
        if !passed && worst >= 0 { note += (note.isEmpty ? "" : "; ") + "worst at \(worst): \(ours[worst]) vs \(reference[worst])" }
        report.add(
            [op, caseName, mode, CheckFormat.sci(error), CheckFormat.sci(bound), passed ? "ok" : "FAIL", note],
            record: [
                "op": op, "case": caseName, "storage": mode, "error": error, "bound": bound, "nan": nanCount,
                "compared": compared, "maxReference": maxRef, "note": note,
            ],
            passed: passed)
    }

    /// Records an exact-match comparison of integer results (sampling ids).
    func checkExact(_ op: String, _ caseName: String, ours: [Int32], reference: [Int32]) {
        let mismatches = zip(ours, reference).filter { $0 != $1 }.count + abs(ours.count - reference.count)
        let passed = mismatches == 0
        report.add(
            [op, caseName, mode, "\(mismatches) of \(reference.count) differ", "0", passed ? "ok" : "FAIL",
             passed ? "" : "ours \(ours.prefix(8)) ref \(reference.prefix(8))"],
            record: ["op": op, "case": caseName, "storage": mode, "mismatches": mismatches, "rows": reference.count],
            passed: passed)
    }

    /// Runs `body`, turning a thrown error into a failed row (a crash still ends the process).
    func run(_ op: String, _ caseName: String, _ body: () throws -> Void) {
        do { try body() } catch { report.fail("\(op) \(caseName) [\(mode)]: \(error)") }
    }
}
