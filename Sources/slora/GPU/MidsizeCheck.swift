// gpu-check midsize: the ≥ 1B-parameter random GQA model and 8 mixed-rank adapters written by
// scripts/gpu_reference.py, run as ONE mixed batch (prefill + teacher-forced decode) and compared with
// HF transformers + PEFT on the same GPU: against the float32 oracle, and HF's own bfloat16 run for scale.

import Adapters
import Backend
import Checkpoint
import Foundation
import Llama
import MemoryPool

/// The mid-size model check on one backend.
struct MidsizeCheck<B: ComputeBackend> {
    let backend: B
    let label: String
    /// Exact (f32) backends must match the oracle to this bound; bf16 ones to max(bound, 1.5 × HF bf16's error).
    let bound: Double
    let exact: Bool

    func run(reference directory: URL, report: CheckReport) {
        do {
            try check(directory: directory, report: report)
        } catch {
            report.fail("midsize [\(label)]: \(error)")
        }
    }

    /// An I32 tensor's values (SafeTensorsFile reads only float types as floats).
    static func int32s(_ file: SafeTensorsFile, _ name: String) throws -> [Int32] {
        guard let info = file.info(name), info.dtype == .i32, info.byteRange.count == info.elementCount * 4 else {
            throw GPUCheckError.badReference("\(name) is missing or not I32")
        }
        return file.withUnsafeFileBytes { bytes in
            (0..<info.elementCount).map {
                Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: info.byteRange.lowerBound + 4 * $0, as: Int32.self))
            }
        }
    }

    func check(directory: URL, report: CheckReport) throws {
        let modelDirectory = directory.appendingPathComponent("model")
        let config = try LlamaConfiguration(contentsOf: modelDirectory.appendingPathComponent("config.json"))
        let started = DispatchTime.now()
        let model = try LlamaModel(config: config, source: try ModelCheckpoint(directory: modelDirectory), backend: backend)
        let json = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        guard let golden = try JSONSerialization.jsonObject(with: json) as? [String: Any],
            let rowAdapters = (golden["row_adapters"] as? [Any])?.map({ $0 as? String })
        else { throw GPUCheckError.badReference("golden.json") }
        let names = Set(rowAdapters.compactMap { $0 }).sorted()
        let adapters = try names.map {
            try LoRAAdapter.load(name: $0, directory: directory.appendingPathComponent("adapters/\($0)"), base: config)
        }
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let tensors = try SafeTensorsFile(url: directory.appendingPathComponent("golden.safetensors"))
        let prompts = try Self.int32s(tensors, "prompts")  // [R, L]
        let fed = try Self.int32s(tensors, "decode_tokens")  // [R, S]
        let rows = rowAdapters.count
        guard rows > 0, prompts.count % rows == 0, fed.count % rows == 0 else { throw GPUCheckError.badReference("prompt shapes") }
        let length = prompts.count / rows
        let steps = fed.count / rows
        let vocabulary = config.vocabularySize
        let reference32 = (try tensors.floats("prefill_f32"), try tensors.floats("decode_f32"))
        let reference16 = (try tensors.floats("prefill_bf16"), try tensors.floats("decode_bf16"))

        let runner = try MixedBatchRunner(
            model: model, adapters: adapters,
            pageCount: adapters.reduce(0) { $0 + model.geometry.adapterPageCount(elementCount: $1.layout.elementCount) }
                + rows * model.geometry.kvPageCount(tokenCount: length + steps) + 8)
        for _ in 0..<rows { _ = try runner.addSequence(tokenCount: length + steps) }
        var ours: [[Float]] = try runner.step(
            (0..<rows).map { ($0, Array(prompts[($0 * length)..<(($0 + 1) * length)]), 0, rowAdapters[$0]) }, allLogits: true)
        for s in 0..<steps {
            ours += try runner.step((0..<rows).map { ($0, [fed[$0 * steps + s]], length + s, rowAdapters[$0]) }, allLogits: false)
        }
        // Reference rows in the same order: prefill [r, t], then decode [s, r].
        func referenceRow(_ pair: ([Float], [Float]), _ i: Int) -> [Float] {
            let start = i < rows * length ? i * vocabulary : (i - rows * length) * vocabulary
            let source = i < rows * length ? pair.0 : pair.1
            return Array(source[start..<(start + vocabulary)])
        }
        var ourError = (prefill: 0.0, decode: 0.0)
        var hfError = (prefill: 0.0, decode: 0.0)
        var agree = 0
        var confident = 0
        var confidentAgree = 0
        for i in 0..<ours.count {
            let oracle = referenceRow(reference32, i)
            let e = LogitCompare.relativeError(ours[i], oracle)
            let h = LogitCompare.relativeError(referenceRow(reference16, i), oracle)
            if i < rows * length {
                ourError.prefill = max(ourError.prefill, e)
                hfError.prefill = max(hfError.prefill, h)
            } else {
                ourError.decode = max(ourError.decode, e)
                hfError.decode = max(hfError.decode, h)
            }
            let same = LogitCompare.argmax(ours[i]) == LogitCompare.argmax(oracle)
            if same { agree += 1 }
            // Greedy choices whose oracle margin exceeds 1 % of the logit scale must agree.
            let scale = oracle.reduce(0) { max($0, abs($1)) }
            if LogitCompare.margin(oracle) > 0.01 * scale {
                confident += 1
                if same { confidentAgree += 1 }
            }
        }
        let parameters = golden["parameters"] as? Int ?? 0
        let ranks: [String] = adapters.map { adapter in
            let entries: [AdapterStreamLayout.Entry] = adapter.layout.entries.flatMap { $0.compactMap { $0 } }
            return String(entries.map(\.rank).max() ?? 0)
        }
        let billions = String(format: "%.2f", Double(parameters) / 1e9)
        let versions = "\(golden["versions"] ?? "?")"
        report.notes.append(
            "Reference: \(directory.path), \(billions) B parameters, \(adapters.count) adapters (ranks "
                + ranks.joined(separator: ",") + "), \(rows) rows × \(length) prompt tokens + \(steps) decode steps; HF versions \(versions).")
        for (what, mine, theirs) in [("prefill", ourError.prefill, hfError.prefill), ("decode", ourError.decode, hfError.decode)] {
            let allowed = exact ? bound : max(bound, 1.5 * theirs)
            let passed = mine <= allowed
            report.add(
                [label, what, CheckFormat.sci(mine), CheckFormat.sci(theirs), CheckFormat.sci(allowed), "\(agree) of \(ours.count)",
                 "\(confidentAgree) of \(confident)", passed && confidentAgree == confident ? "ok" : "FAIL"],
                record: [
                    "backend": label, "part": what, "error": mine, "hfBF16Error": theirs, "allowed": allowed, "argmaxAgree": agree,
                    "positions": ours.count, "confident": confident, "confidentAgree": confidentAgree, "loadSeconds": loadSeconds,
                ],
                passed: passed && confidentAgree == confident)
        }
    }
}
