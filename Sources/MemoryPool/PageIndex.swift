// Typed index of one page of the unified pool.

/// The index of one page in the unified memory pool (page `i` covers pool elements
/// `[i · elementsPerPage, (i + 1) · elementsPerPage)`).
public struct PageIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = Int32(rawValue) }

    public static func < (a: PageIndex, b: PageIndex) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "page#\(rawValue)" }
}
