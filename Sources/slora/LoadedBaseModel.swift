// A base model ready for the engine: the StepExecutor that runs it (one model and its pool, or the
// ranks of a tensor-parallel group, each with its pool) and what the engine needs around it.

import Backend
import Checkpoint
import Engine
import MemoryPool
import Tokenization

/// A base model on one backend, its pool(s) made.
struct LoadedBaseModel<B: ComputeBackend> {
    let executor: any StepExecutor<B>
    /// The served name (file or directory name, or the preset's name).
    let name: String
    let path: String
    let tokenizer: (any TextTokenizer)?
    let chatTemplate: String?
    /// nil: the engine takes the model's and tokenizer's EOS ids.
    let eosTokenIDs: Set<Int32>?
    /// Bytes per pool element on this backend (CPU f32: 4; CUDA bf16: 2).
    let poolElementBytes: Int
    /// One line for logs and reports.
    let summary: String

    init(executor: any StepExecutor<B>, opened: BaseModelSource.Opened, poolElementBytes: Int, device: String) {
        self.executor = executor
        name = opened.name
        path = opened.path
        tokenizer = opened.tokenizer
        chatTemplate = opened.chatTemplate
        eosTokenIDs = opened.eosTokenIDs
        self.poolElementBytes = poolElementBytes
        summary = "\(opened.description) on \(device)"
    }

    var config: LlamaConfiguration { executor.config }
    /// Pages of the pool (of every rank's pool under tensor parallelism).
    var pageCount: Int { executor.pageCount }
    /// The sizes of one rank's pool.
    var budget: PoolBudget {
        PoolBudget(geometry: executor.geometry, widths: executor.projectionWidths, elementByteCount: poolElementBytes)
    }
    /// Bytes of one rank's pool.
    var poolBytes: Int { budget.byteCount(pageCount: pageCount) }
}
