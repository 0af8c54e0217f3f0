// One adapter to copy into its pool pages: the scheduler's page choice plus the host copy the runner
// keeps (a StepExecutor shards it per rank and keeps a load-ready copy per distinct stream).

import Adapters
import MemoryPool

/// Adapter `id`'s host copy and the pages it goes to on every rank.
public struct AdapterLoad {
    public let id: AdapterID
    /// The whole adapter as loaded (each rank loads its shard of it).
    public let adapter: LoRAAdapter
    /// `[poolLayout(of: adapter).elementCount / elementsPerPage rounded up]` pages, the same on every rank.
    public let pages: [PageIndex]

    public init(id: AdapterID, adapter: LoRAAdapter, pages: [PageIndex]) {
        self.id = id
        self.adapter = adapter
        self.pages = pages
    }
}
