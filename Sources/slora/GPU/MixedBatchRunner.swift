// Drives LlamaModel.forward step by step on any backend for the full-model checks: a pool with the
// given adapters resident, sequences with reserved KV pages, and steps of (sequence, new tokens, first
// position, adapter) parts mixed in one batch, as HF+PEFT's `adapter_names` batches are.

import Adapters
import Backend
import Llama
import MemoryPool

/// A model plus a pool with adapters resident.
final class MixedBatchRunner<B: ComputeBackend> {
    let model: LlamaModel<B>
    let pages: PagePool
    let pool: B.Tensor
    private var slots: [String: AdapterBatch.Slot] = [:]
    private var tables: [SequencePageTable] = []

    init(model: LlamaModel<B>, adapters: [LoRAAdapter], pageCount: Int) throws {
        self.model = model
        pages = PagePool(pageCount: pageCount)
        pool = model.backend.makePool(pageCount: pageCount, geometry: model.geometry)
        for (i, adapter) in adapters.enumerated() {
            guard
                let table = AdapterPageTable.allocate(
                    elementCount: adapter.layout.elementCount, geometry: model.geometry, pool: pages, owner: AdapterSlotID(i))
            else { throw GPUCheckError.poolTooSmall("adapter \(adapter.name) needs more than \(pageCount) pages") }
            model.backend.writeAdapter(adapter.stream, pages: table.pages, pool: pool, geometry: model.geometry)
            slots[adapter.name] = AdapterBatch.Slot(layout: adapter.layout, scalings: adapter.scalings, pages: table.pages)
        }
    }

    /// Adds a sequence with room for `tokenCount` tokens; returns its index.
    func addSequence(tokenCount: Int) throws -> Int {
        var table = SequencePageTable(geometry: model.geometry)
        guard table.reserve(tokenCount: tokenCount, in: pages, owner: SequenceSlotID(tables.count)) else {
            throw GPUCheckError.poolTooSmall("sequence of \(tokenCount) tokens")
        }
        tables.append(table)
        return tables.count - 1
    }

    /// One step; returns the logits rows (`[V]` each) in `logitRows` order.
    func step(_ parts: [(sequence: Int, tokens: [Int32], start: Int, adapter: String?)], allLogits: Bool) throws -> [[Float]] {
        let batch = StepBatch(sequences: parts.map { ($0.tokens, $0.start, tables[$0.sequence].pages, allLogits) })
        var names: [String] = []
        var tokenSlots: [Int32] = []
        for part in parts {
            var slot: Int32 = -1
            if let name = part.adapter {
                guard slots[name] != nil else { throw GPUCheckError.missing("adapter \(name)") }
                if let i = names.firstIndex(of: name) {
                    slot = Int32(i)
                } else {
                    names.append(name)
                    slot = Int32(names.count - 1)
                }
            }
            tokenSlots += [Int32](repeating: slot, count: part.tokens.count)
        }
        let adapters = AdapterBatch(
            tokenSlots: tokenSlots, slots: names.map { slots[$0]! }, layerCount: model.config.layerCount)
        let logits = model.forward(step: batch, adapters: adapters, pool: pool)
        let vocabulary = model.config.vocabularySize
        let flat = model.backend.download(logits, count: batch.logitRows.count * vocabulary)
        return (0..<batch.logitRows.count).map { Array(flat[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
    }
}

/// Problems with a check's inputs (missing files, a pool too small): reported, not crashed on.
enum GPUCheckError: Error, CustomStringConvertible {
    case missing(String)
    case poolTooSmall(String)
    case badReference(String)

    var description: String {
        switch self {
        case .missing(let what): "missing: \(what)"
        case .poolTooSmall(let what): "pool too small: \(what)"
        case .badReference(let what): "bad reference data: \(what)"
        }
    }
}

/// Logit comparisons of the full-model checks.
enum LogitCompare {
    /// max|a − b| / max|b| over the rows.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        var diff = 0.0
        var scale = 0.0
        for i in 0..<min(a.count, b.count) {
            diff = max(diff, Double(abs(a[i] - b[i])))
            scale = max(scale, Double(abs(b[i])))
        }
        if a.contains(where: { !$0.isFinite }) { return .infinity }
        return diff / max(scale, 1e-30)
    }

    /// Index of the largest value (lowest index on ties).
    static func argmax(_ x: [Float]) -> Int {
        var best = 0
        for i in x.indices where x[i] > x[best] { best = i }
        return best
    }

    /// Top-1 minus top-2 value.
    static func margin(_ x: [Float]) -> Float {
        var first = -Float.infinity
        var second = -Float.infinity
        for v in x {
            if v > first {
                second = first
                first = v
            } else if v > second {
                second = v
            }
        }
        return first - second
    }
}
