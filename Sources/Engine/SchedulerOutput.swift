// The scheduler's decision for one step, as plain data (vLLM's `SchedulerOutput`): which requests run
// how many tokens, which adapters must be copied into their pool pages first, and which requests were
// preempted or aborted. The model runner turns it into a StepBatch + AdapterBatch; the scheduler never
// sees tensors and the runner never decides anything.

import MemoryPool

/// One step's plan.
public struct SchedulerOutput: Sendable {
    /// A run of consecutive tokens of one request in this step.
    public struct Chunk: Sendable, Equatable {
        public let request: RequestID
        /// [count] the tokens to run, at positions `startPosition...`.
        public let tokens: [Int32]
        /// Position of `tokens[0]` (the request's computed token count).
        public let startPosition: Int
        /// The request's KV page table, covering every position through the chunk's last.
        public let pageTable: [PageIndex]
        public let adapter: AdapterID?
        /// The chunk reaches the request's last token, so the step samples its next token.
        public let samples: Bool
        /// How many tokens the request has generated before this step (the sampler's step index).
        public let generatedCount: Int
    }

    /// Decodes first, then prefill chunks; at most one chunk per request.
    public internal(set) var chunks: [Chunk] = []
    /// Adapters to copy into these pages before the step runs (needed now, or prefetched).
    public internal(set) var adaptersToLoad: [(adapter: AdapterID, pages: [PageIndex])] = []
    /// The pool pages of every adapter a chunk uses.
    public internal(set) var adapterPages: [AdapterID: [PageIndex]] = [:]
    /// Requests moved back to the queue; they recompute their tokens when resumed.
    public internal(set) var preempted: [RequestID] = []
    /// Waiting requests dropped because their first-token deadline cannot be met.
    public internal(set) var aborted: [RequestID] = []
    /// Retired adapters whose last request ended since the previous step (drop their host copies).
    public internal(set) var releasedAdapters: [AdapterID] = []

    /// Tokens the step runs.
    public var tokenCount: Int { chunks.reduce(0) { $0 + $1.tokens.count } }
    /// Nothing to run.
    public var isEmpty: Bool { chunks.isEmpty }
}
