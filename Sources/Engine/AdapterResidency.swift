// Which adapters are resident in the unified pool, and where: pure bookkeeping (no tensors) owned by
// the scheduler. Every registered adapter is known with its page count (its weights stay in host
// memory); resident ones hold pool pages; idle ones stay resident (LRU) until KV needs the room;
// adapters used by running requests are pinned. An unloaded adapter is retired: no new request can
// name it, and its pages go back when its last request ends (slora-and-peers.md §1.2, §F.3).

import MemoryPool

/// Residency of registered adapters in one pool. Single owner (the engine thread); not `Sendable`.
///
/// Who writes the weights: ``makeResident(_:)`` only hands out pages; the caller copies the adapter
/// stream into them (``SchedulerOutput/adaptersToLoad``) before the step that uses it runs.
public final class AdapterResidency {
    struct Entry {
        /// Elements of the adapter's stream.
        let elementCount: Int
        /// Pool pages the stream needs when resident.
        let pageCount: Int
        /// Non-nil while resident.
        var table: AdapterPageTable?
        /// Logical time of the last step that used (or prefetched) it.
        var lastUse = 0
        /// Requests, waiting or running, that name this adapter.
        var users = 0
        /// Running requests that use it; it must stay resident while this is above 0.
        var pins = 0
        /// Unloaded: no new users; dropped when `users` reaches 0.
        var retired = false
    }

    public let geometry: PageGeometry
    let pool: PagePool
    private var entries: [AdapterID: Entry] = [:]
    private var clock = 0

    public init(geometry: PageGeometry, pool: PagePool) {
        self.geometry = geometry
        self.pool = pool
    }

    // MARK: - Registry

    /// Makes `id` known (not resident). Its stream has `elementCount` elements.
    public func register(_ id: AdapterID, elementCount: Int) {
        precondition(entries[id] == nil, "\(id) registered twice")
        entries[id] = Entry(elementCount: elementCount, pageCount: geometry.adapterPageCount(elementCount: elementCount))
    }

    /// Registered and not retired: new requests may name it.
    public func isAvailable(_ id: AdapterID) -> Bool { entries[id].map { !$0.retired } ?? false }

    /// Known at all (possibly retired but still used).
    public func isKnown(_ id: AdapterID) -> Bool { entries[id] != nil }

    /// Retires `id`: no new users. Returns true when it was dropped at once (no users left), its
    /// pages freed; otherwise it is dropped when its last user goes (see ``removeUser(_:)``).
    @discardableResult
    public func retire(_ id: AdapterID) -> Bool {
        guard var entry = entries[id] else { return false }
        entry.retired = true
        entries[id] = entry
        return dropIfUnused(id)
    }

    /// Counts one more request naming `id`.
    func addUser(_ id: AdapterID) {
        guard entries[id] != nil else { preconditionFailure("unknown \(id)") }
        entries[id]!.users += 1
    }

    /// Counts one request fewer; returns true when a retired adapter was dropped by it.
    func removeUser(_ id: AdapterID) -> Bool {
        guard entries[id] != nil else { preconditionFailure("unknown \(id)") }
        entries[id]!.users -= 1
        precondition(entries[id]!.users >= 0)
        return dropIfUnused(id)
    }

    func pin(_ id: AdapterID) { entries[id]!.pins += 1 }

    func unpin(_ id: AdapterID) {
        entries[id]!.pins -= 1
        precondition(entries[id]!.pins >= 0)
    }

    // MARK: - Residency queries

    public func isResident(_ id: AdapterID) -> Bool { entries[id]?.table != nil }

    /// The pool pages of resident `id`, in stream order.
    public func pages(of id: AdapterID) -> [PageIndex]? { entries[id]?.table?.pages }

    /// Pages `id` takes when resident.
    public func pageCount(of id: AdapterID) -> Int { entries[id]?.pageCount ?? 0 }

    /// Pages `id` still needs to become resident (0 when it is).
    public func pagesNeeded(_ id: AdapterID) -> Int {
        guard let entry = entries[id], entry.table == nil else { return 0 }
        return entry.pageCount
    }

    /// Pool pages held by resident adapters.
    public var residentPageCount: Int { entries.values.reduce(0) { $0 + ($1.table?.pages.count ?? 0) } }

    /// Resident adapters, in id order.
    public var residentIDs: [AdapterID] { entries.filter { $0.value.table != nil }.keys.sorted() }

    /// Registered (and not yet dropped) adapters, in id order.
    public var knownIDs: [AdapterID] { entries.keys.sorted() }

    /// Pages that evicting every idle resident adapter not in `keep` would free.
    func evictablePageCount(keep: Set<AdapterID>) -> Int {
        entries.reduce(0) { sum, item in
            let (id, entry) = item
            guard let table = entry.table, entry.pins == 0, !keep.contains(id) else { return sum }
            return sum + table.pages.count
        }
    }

    // MARK: - Residency changes

    /// Marks `id` used now (LRU).
    func touch(_ id: AdapterID) {
        clock += 1
        entries[id]?.lastUse = clock
    }

    /// Allocates the pages of `id` (all or nothing) and marks it used now.
    /// - Returns: the pages to copy the stream into, or nil when the pool lacks room.
    func makeResident(_ id: AdapterID) -> [PageIndex]? {
        guard var entry = entries[id] else { preconditionFailure("unknown \(id)") }
        precondition(entry.table == nil, "\(id) is already resident")
        guard
            let table = AdapterPageTable.allocate(
                elementCount: entry.elementCount, geometry: geometry, pool: pool, owner: id.poolSlot)
        else { return nil }
        clock += 1
        entry.table = table
        entry.lastUse = clock
        entries[id] = entry
        return table.pages
    }

    /// Evicts idle resident adapters (unpinned, not in `keep`), least recently used first, until
    /// `pages` pages are free. Returns whether they are.
    func evictIdle(untilFree pages: Int, keep: Set<AdapterID>) -> Bool {
        while pool.freePageCount < pages {
            let idle = entries.filter { $0.value.table != nil && $0.value.pins == 0 && !keep.contains($0.key) }
            guard let victim = idle.min(by: { ($0.value.lastUse, $0.key) < ($1.value.lastUse, $1.key) }) else {
                return false
            }
            evict(victim.key)
        }
        return true
    }

    /// Frees the pages of `id` if it is resident (it stays registered).
    func evict(_ id: AdapterID) {
        guard var entry = entries[id], var table = entry.table else { return }
        precondition(entry.pins == 0, "\(id) is pinned by running requests")
        table.release(to: pool)
        entry.table = nil
        entries[id] = entry
    }

    private func dropIfUnused(_ id: AdapterID) -> Bool {
        guard let entry = entries[id], entry.retired, entry.users == 0 else { return false }
        evict(id)
        entries[id] = nil
        return true
    }
}
