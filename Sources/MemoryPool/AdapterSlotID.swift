// Typed id of one resident adapter as an owner of pool pages.
// The engine maps its AdapterID onto these; the pool knows nothing about adapter files.

/// A resident adapter that owns pages in the unified pool.
///
/// Pure bookkeeping id: the engine hands out one per adapter it loads into the pool and maps
/// its `AdapterID` onto it.
public struct AdapterSlotID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static func < (a: AdapterSlotID, b: AdapterSlotID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "adapter#\(rawValue)" }
}
