// Which adapters are resident in the unified pool, and where: load on demand, keep idle ones
// while pages allow (LRU), evict when the pool needs room.

import Adapters
import Backend
import MemoryPool

/// Host adapters plus their residency in one backend's pool. Single owner (the engine thread).
public final class AdapterResidency<B: ComputeBackend> {
    struct Resident {
        let slot: AdapterSlotID
        var table: AdapterPageTable
        var lastUse: Int
    }

    public private(set) var registered: [String: LoRAAdapter] = [:]
    private var resident: [String: Resident] = [:]
    private var nextSlot = 0
    private var clock = 0
    let geometry: PageGeometry

    public init(geometry: PageGeometry) { self.geometry = geometry }

    public func register(_ adapter: LoRAAdapter) { registered[adapter.name] = adapter }

    /// Forgets `name`; its pages go back to the pool if it is resident.
    public func unregister(_ name: String, pool: PagePool) {
        registered[name] = nil
        evict(name, pool: pool)
    }

    public func isResident(_ name: String) -> Bool { resident[name] != nil }
    /// Pool pages held by resident adapters.
    public var residentPageCount: Int { resident.values.reduce(0) { $0 + $1.table.pages.count } }
    public var residentNames: [String] { Array(resident.keys) }

    /// Pages `name` needs to become resident (0 if it already is).
    public func pagesNeeded(_ name: String) -> Int {
        guard resident[name] == nil, let a = registered[name] else { return 0 }
        return geometry.adapterPageCount(elementCount: a.layout.elementCount)
    }

    /// Makes every adapter in `names` resident, evicting idle ones (least recently used first,
    /// never one in `names`) when pages run short. Returns false, changing nothing resident
    /// among `names`, when they cannot all fit.
    public func ensureResident(_ names: Set<String>, pool: PagePool, poolTensor: B.Tensor, backend: B) -> Bool {
        clock += 1
        for name in names { resident[name]?.lastUse = clock }
        let missing = names.filter { resident[$0] == nil }.sorted()
        let need = missing.reduce(0) { $0 + pagesNeeded($1) }
        while pool.freePageCount < need {
            let idle = resident.filter { !names.contains($0.key) }.min { $0.value.lastUse < $1.value.lastUse }
            guard let victim = idle else { return false }
            evict(victim.key, pool: pool)
        }
        for name in missing {
            guard let adapter = registered[name] else { preconditionFailure("unregistered adapter \(name)") }
            let slot = AdapterSlotID(nextSlot)
            nextSlot += 1
            guard
                let table = AdapterPageTable.allocate(
                    elementCount: adapter.layout.elementCount, geometry: geometry, pool: pool, owner: slot)
            else { preconditionFailure("pages were counted free above") }
            backend.writeAdapter(adapter.stream, pages: table.pages, pool: poolTensor, geometry: geometry)
            resident[name] = Resident(slot: slot, table: table, lastUse: clock)
        }
        return true
    }

    /// Frees the pages of idle resident adapters (not in `keep`), LRU first, until `pages` are free.
    public func evictIdle(untilFree pages: Int, keep: Set<String>, pool: PagePool) {
        while pool.freePageCount < pages {
            let idle = resident.filter { !keep.contains($0.key) }.min { $0.value.lastUse < $1.value.lastUse }
            guard let victim = idle else { return }
            evict(victim.key, pool: pool)
        }
    }

    private func evict(_ name: String, pool: PagePool) {
        guard var r = resident.removeValue(forKey: name) else { return }
        _ = r.table.release(to: pool)
    }

    /// The batch slot description of resident adapter `name`.
    public func slot(_ name: String) -> AdapterBatch.Slot {
        guard let r = resident[name], let a = registered[name] else { preconditionFailure("\(name) is not resident") }
        return AdapterBatch.Slot(layout: a.layout, scalings: a.scalings, pages: r.table.pages)
    }
}
