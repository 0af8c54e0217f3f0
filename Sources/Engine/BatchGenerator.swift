// Offline batched generation: runs many requests together through one model and one pool,
// mixing prefill chunks and decode tokens in each step under a token budget. The scheduler part
// only decides which tokens run; tensors stay behind the model and backend.

import Adapters
import Backend
import Llama
import MemoryPool

/// Runs generation requests to completion on one model (used by `slora generate` and tests).
public final class BatchGenerator<B: ComputeBackend> {
    public let model: LlamaModel<B>
    public let pool: PagePool
    public let poolTensor: B.Tensor
    public let adapters: AdapterResidency<B>
    /// Most tokens one step may run (prefill chunks are cut to fit).
    public let stepTokenBudget: Int

    /// A sequence in flight.
    struct Sequence {
        let index: Int
        let request: GenerationRequest
        let slot: SequenceSlotID
        var tokens: [Int32]
        var computed = 0
        var generated: [Int32] = []
        var table: SequencePageTable
        var finished = false
    }

    public init(model: LlamaModel<B>, pageCount: Int, stepTokenBudget: Int = 256) {
        self.model = model
        self.pool = PagePool(pageCount: pageCount)
        self.poolTensor = model.backend.makePool(pageCount: pageCount, geometry: model.geometry)
        self.adapters = AdapterResidency(geometry: model.geometry)
        self.stepTokenBudget = max(1, stepTokenBudget)
    }

    public func register(_ adapter: LoRAAdapter) { adapters.register(adapter) }

    /// Generates for every request; returns the generated ids of each, in request order.
    public func generate(_ requests: [GenerationRequest]) throws(EngineError) -> [[Int32]] {
        let vocab = model.config.vocabularySize
        for r in requests {
            if r.prompt.isEmpty { throw .emptyPrompt }
            if let bad = r.prompt.first(where: { $0 < 0 || Int($0) >= vocab }) {
                throw .tokenOutOfRange(token: bad, vocabularySize: vocab)
            }
            if let name = r.adapter, adapters.registered[name] == nil { throw .unknownAdapter(name) }
            let need = model.geometry.kvPageCount(tokenCount: r.prompt.count + r.maxTokens)
                + (r.adapter.map { adapters.pagesNeeded($0) } ?? 0)
            if need > pool.pageCount { throw .doesNotFit(needPages: need, poolPages: pool.pageCount) }
        }
        var waiting = Array(requests.enumerated())
        var running: [Sequence] = []
        var results = [[Int32]](repeating: [], count: requests.count)
        while !waiting.isEmpty || !running.isEmpty {
            // Admit FCFS while the whole request (prompt + max tokens) fits next to the running ones.
            while let (index, request) = waiting.first {
                var table = SequencePageTable(geometry: model.geometry)
                let slot = SequenceSlotID(index)
                let names = Set(running.compactMap(\.request.adapter) + [request.adapter].compactMap { $0 })
                guard adapters.ensureResident(names, pool: pool, poolTensor: poolTensor, backend: model.backend) else {
                    break
                }
                adapters.evictIdle(
                    untilFree: model.geometry.kvPageCount(tokenCount: request.prompt.count + request.maxTokens),
                    keep: names, pool: pool)
                guard table.reserve(tokenCount: request.prompt.count + request.maxTokens, in: pool, owner: slot) else {
                    break
                }
                waiting.removeFirst()
                running.append(Sequence(index: index, request: request, slot: slot, tokens: request.prompt, table: table))
            }
            precondition(!running.isEmpty, "admission checked that every request fits alone")
            step(&running)
            for i in running.indices where running[i].finished {
                results[running[i].index] = running[i].generated
                _ = running[i].table.release(to: pool)
            }
            running.removeAll { $0.finished }
        }
        return results
    }

    /// One forward step over the running sequences: decodes first, then prefill chunks in budget.
    func step(_ running: inout [Sequence]) {
        var budget = stepTokenBudget
        var parts: [(tokens: [Int32], startPosition: Int, pageTable: [PageIndex], allLogits: Bool)] = []
        var members: [(index: Int, count: Int)] = []
        let order = running.indices.sorted { (running[$0].tokens.count - running[$0].computed) < (running[$1].tokens.count - running[$1].computed) }
        for i in order where budget > 0 {
            let s = running[i]
            let count = min(s.tokens.count - s.computed, budget)
            budget -= count
            parts.append((Array(s.tokens[s.computed..<(s.computed + count)]), s.computed, s.table.pages, false))
            members.append((i, count))
        }
        let stepBatch = StepBatch(sequences: parts)
        var tokenSlots: [Int32] = []
        var slotOf: [String: Int32] = [:]
        var slots: [AdapterBatch.Slot] = []
        for (i, count) in members {
            var slot: Int32 = -1
            if let name = running[i].request.adapter {
                if let known = slotOf[name] {
                    slot = known
                } else {
                    slot = Int32(slots.count)
                    slotOf[name] = slot
                    slots.append(adapters.slot(name))
                }
            }
            tokenSlots.append(contentsOf: repeatElement(slot, count: count))
        }
        let adapterBatch = AdapterBatch(tokenSlots: tokenSlots, slots: slots, layerCount: model.config.layerCount)
        let logits = model.forward(step: stepBatch, adapters: adapterBatch, pool: poolTensor)
        let rows = members.map { i, _ in
            var row = running[i].request.sampling
            row.step = running[i].generated.count
            return row
        }
        let sampled = model.backend.sample(logits, vocabularySize: model.config.vocabularySize, rows: rows)
        for (m, (i, count)) in members.enumerated() {
            running[i].computed += count
            guard running[i].computed == running[i].tokens.count else { continue }  // prefill not done yet
            let token = sampled[m]
            running[i].generated.append(token)
            running[i].tokens.append(token)
            if running[i].generated.count >= running[i].request.maxTokens
                || running[i].request.stopTokens.contains(token)
            {
                running[i].finished = true
            }
        }
    }
}
