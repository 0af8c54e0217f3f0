// The load-ready copies of adapter streams one rank keeps (a backend's `HostAdapter`: pinned memory on
// a GPU): made at an adapter's first load, shared by adapters whose streams share storage (copies of
// one adapter, as S-LoRA's numbered dummy copies), dropped with their last user.

import Adapters

/// Load-ready copies keyed by the identity of the host stream they were made from.
struct LoadCopyCache<Copy> {
    /// Identity of an adapter stream's storage (valid while the runner holds the adapter).
    private struct StreamKey: Hashable {
        let address: UInt
        let count: Int
    }

    private var copies: [StreamKey: (copy: Copy, users: Set<AdapterID>)] = [:]
    private var keyOf: [AdapterID: StreamKey] = [:]

    /// Distinct streams held.
    var count: Int { copies.count }

    /// Whether `id` holds a copy.
    func contains(_ id: AdapterID) -> Bool { keyOf[id] != nil }

    /// `id`'s copy of `adapter`'s stream, made with `make` on first use.
    mutating func copy(of adapter: LoRAAdapter, for id: AdapterID, make: (LoRAAdapter) -> Copy) -> Copy {
        if let key = keyOf[id], let entry = copies[key] { return entry.copy }
        let key = adapter.stream.withUnsafeBufferPointer {
            StreamKey(address: UInt(bitPattern: $0.baseAddress), count: $0.count)
        }
        if var entry = copies[key] {
            entry.users.insert(id)
            copies[key] = entry
            keyOf[id] = key
            return entry.copy
        }
        let copy = make(adapter)
        copies[key] = (copy, [id])
        keyOf[id] = key
        return copy
    }

    /// Forgets `id`; its copy goes when no other adapter shares it.
    mutating func forget(_ id: AdapterID) {
        guard let key = keyOf.removeValue(forKey: id) else { return }
        copies[key]?.users.remove(id)
        if copies[key]?.users.isEmpty ?? false { copies[key] = nil }
    }

    /// Drops every copy.
    mutating func removeAll() {
        copies = [:]
        keyOf = [:]
    }
}
