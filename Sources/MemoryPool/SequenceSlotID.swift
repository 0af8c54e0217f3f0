// Typed id of one sequence (one request's KV cache) as an owner of pool pages.
// The engine maps its RequestID onto these; the pool knows nothing about requests.

/// A sequence that owns KV pages in the unified pool.
///
/// Pure bookkeeping id: the engine hands out one per live request and maps its `RequestID`
/// onto it. Two sequences with different ids never share a page.
public struct SequenceSlotID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static func < (a: SequenceSlotID, b: SequenceSlotID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "sequence#\(rawValue)" }
}
