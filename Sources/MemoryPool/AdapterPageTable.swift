// The pages holding one resident adapter's weight stream (AdapterStreamLayout), cut into pool pages.
// Allocated all at once; rows of any width pack back to back, so a row may straddle two pages.

/// The pool pages of one adapter's stream: stream element `e` lives at offset
/// `e % elementsPerPage` of page `pages[e / elementsPerPage]` (see ``PageGeometry``).
///
/// Only the tail of the last page is unused. A rank-row (A row or Bᵀ row) may straddle a page
/// boundary; ``poolRanges(ofElements:)`` splits a stream range into contiguous pool ranges.
public struct AdapterPageTable: Sendable, Hashable {
    // MARK: - State

    public let geometry: PageGeometry
    /// The adapter that owns `pages`.
    public let owner: AdapterSlotID
    /// Elements in the adapter's stream (``AdapterStreamLayout/elementCount``).
    public let elementCount: Int
    /// [adapterPageCount(elementCount)]: page `i` holds stream elements `[i · elementsPerPage, (i + 1) · elementsPerPage)`.
    /// Empty after ``release(to:)``.
    public private(set) var pages: [PageIndex]

    /// Allocates pages for a stream of `elementCount` elements, all or nothing.
    ///
    /// - Returns: nil when the pool has too few free pages (nothing is allocated then).
    public static func allocate(
        elementCount: Int, geometry: PageGeometry, pool: PagePool, owner: AdapterSlotID
    ) -> AdapterPageTable? {
        precondition(elementCount >= 0, "negative element count \(elementCount)")
        let count = geometry.adapterPageCount(elementCount: elementCount)
        guard let pages = pool.allocate(count, for: .adapter(owner)) else { return nil }
        return AdapterPageTable(geometry: geometry, owner: owner, elementCount: elementCount, pages: pages)
    }

    private init(geometry: PageGeometry, owner: AdapterSlotID, elementCount: Int, pages: [PageIndex]) {
        self.geometry = geometry
        self.owner = owner
        self.elementCount = elementCount
        self.pages = pages
    }

    /// Frees the pages back to `pool` and empties `pages`.
    ///
    /// - Returns: how many pages were freed.
    @discardableResult
    public mutating func release(to pool: PagePool) -> Int {
        let count = pages.count
        pool.free(pages, from: .adapter(owner))
        pages = []
        return count
    }

    // MARK: - Addressing

    /// Unused elements at the end of the last page.
    public var tailWasteElementCount: Int {
        geometry.adapterPageCount(elementCount: elementCount) * geometry.elementsPerPage - elementCount
    }

    /// Pool offset (elements) of stream element `element`.
    public func poolOffset(ofElement element: Int) -> Int {
        precondition(element >= 0 && element < elementCount, "element \(element) outside stream of \(elementCount)")
        let perPage = geometry.elementsPerPage
        return Int(pages[element / perPage].rawValue) * perPage + element % perPage
    }

    /// The contiguous pool ranges (elements) that hold stream elements `elements`, in stream order;
    /// one range per page touched. Use it to copy a row, a matrix or the whole stream into the pool.
    public func poolRanges(ofElements elements: Range<Int>) -> [Range<Int>] {
        precondition(elements.lowerBound >= 0 && elements.upperBound <= elementCount,
                     "\(elements) outside stream of \(elementCount)")
        let perPage = geometry.elementsPerPage
        var ranges: [Range<Int>] = []
        var e = elements.lowerBound
        while e < elements.upperBound {
            let inPage = e % perPage
            let count = min(perPage - inPage, elements.upperBound - e)
            let start = Int(pages[e / perPage].rawValue) * perPage + inPage
            ranges.append(start..<(start + count))
            e += count
        }
        return ranges
    }
}
