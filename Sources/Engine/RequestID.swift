// The engine's id of one admitted request. It also names the request's KV pages in the pool
// (`SequenceSlotID(rawValue)`), so two live requests never share an id.

import MemoryPool

/// One request inside the engine (the HTTP request id string maps onto it).
public struct RequestID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// The pool owner of this request's KV pages.
    public var sequenceSlot: SequenceSlotID { SequenceSlotID(rawValue) }

    public static func < (a: RequestID, b: RequestID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "request#\(rawValue)" }
}
