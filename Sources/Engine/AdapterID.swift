// The engine's identity of one loaded adapter: a fresh id per load, so reloading a name (new files,
// new content hash) never reuses pages, slots or caches of the old load (formats-and-api.md §F.3).
// vLLM keeps the same split: a stable `lora_int_id` apart from the resident slot index.

import MemoryPool

/// One load of one adapter. Unique for the engine's lifetime; names map onto ids.
public struct AdapterID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// The pool owner of this adapter's weight pages while it is resident.
    public var poolSlot: AdapterSlotID { AdapterSlotID(rawValue) }

    public static func < (a: AdapterID, b: AdapterID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "lora#\(rawValue)" }
}
