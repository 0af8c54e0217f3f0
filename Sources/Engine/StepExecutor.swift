// The seam between the engine's decisions and the model that carries them out: what runs one step.
// One LlamaModel and its pool on the calling thread (SingleModelExecutor), or the ranks of a
// tensor-parallel group, each with its own pool (TensorParallelExecutor). Either way one scheduler
// decision per step — one StepBatch, one AdapterBatch, one page table — drives every rank.

import Adapters
import Backend
import Checkpoint
import MemoryPool

/// Runs the engine's steps on a model: loads adapter pages, runs the forward pass, samples.
///
/// Every rank has a pool of `pageCount` pages of `geometry` (its own K/V heads and adapter shards) with
/// the same page tables, so the scheduler's one `PagePool` stands for all of them, and an adapter takes
/// the pages its `poolLayout(of:)` needs on every rank. Single owner: call from one thread at a time.
public protocol StepExecutor<Backend>: AnyObject {
    associatedtype Backend: ComputeBackend

    /// The base model's configuration (the whole model, not a rank's slice).
    var config: LlamaConfiguration { get }
    /// One rank's pool geometry (`kvWidth` is the rank's KV width), the same on every rank.
    var geometry: PageGeometry { get }
    /// Pages in every rank's pool.
    var pageCount: Int { get }
    /// Ranks the model is split over; 1 runs one whole model with no communication.
    var worldSize: Int { get }
    /// Distinct adapter streams holding a load-ready copy (per rank).
    var loadCopyCount: Int { get }

    /// Copies each adapter's stream (its rank's shard) into its pages on every rank; the load-ready copy
    /// of a stream is made on first use and kept until `forget` (see `ComputeBackend.loadAdapter` for
    /// `overlappingCurrentStep`).
    func load(_ loads: [AdapterLoad], overlappingCurrentStep: Bool)
    /// Drops `adapter`'s load-ready copy (shared copies go with their last user).
    func forget(_ adapter: AdapterID)
    /// Runs `step` on every rank, then loads `prefetch` overlapping it (pages the step does not touch),
    /// then samples one token per logit row with `rows` (nothing when `rows` is empty).
    /// - Parameter logits: also return the raw logits, `[rows.count · V]` (for log-probabilities).
    /// - Returns: the sampled ids `[rows.count]` and the logits (empty unless asked), from rank 0.
    func run(step: StepBatch, adapters: AdapterBatch, prefetch: [AdapterLoad], rows: [SamplingRow], logits: Bool)
        -> (tokens: [Int32], logits: [Float])
    /// Releases the ranks (threads, device memory); the executor is unusable afterwards. Idempotent.
    func shutdown()
}

extension StepExecutor {
    /// The projection widths one rank computes, which its adapter shards are laid out with.
    public var projectionWidths: ProjectionWidths { config.projectionWidths.sharded(worldSize: worldSize) }

    /// The layout of `adapter` in every rank's pool pages (its shard's; `adapter.layout` for one rank):
    /// the `AdapterBatch` slots and the page count come from it.
    public func poolLayout(of adapter: LoRAAdapter) -> AdapterStreamLayout { adapter.shardLayout(worldSize: worldSize) }
}
