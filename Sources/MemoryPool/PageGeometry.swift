// The page geometry of the unified pool: how KV tokens and adapter rows map onto fixed-size pages.
// docs/memory.md gives the arithmetic for real models.

/// The shape of one page of the unified pool, fixed per model.
///
/// A page holds `elementsPerPage = tokensPerPage · 2 · kvWidth` elements.
/// - **KV:** a page holds `tokensPerPage` consecutive tokens of one sequence for one layer,
///   laid out `[2 (K, V)][tokensPerPage][kvWidth]`. A sequence's page table lists
///   `layerCount` pages per block of `tokensPerPage` tokens: the page of (layer `l`, block `b`) is
///   `table[b · layerCount + l]`.
/// - **Adapters:** an adapter is one contiguous *stream* of elements (``AdapterStreamLayout``),
///   cut into pages in order; element `e` of the stream lives in page `table[e / elementsPerPage]`
///   at offset `e % elementsPerPage`. Rows of any width (H, kvWidth, I) pack back to back, so the
///   only waste is the tail of the last page of each adapter.
public struct PageGeometry: Sendable, Hashable {
    public let layerCount: Int
    /// kvHeadCount · headDim: one token's K (or V) for one layer.
    public let kvWidth: Int
    /// Tokens of one sequence per KV page.
    public let tokensPerPage: Int

    public init(layerCount: Int, kvWidth: Int, tokensPerPage: Int = 16) {
        precondition(layerCount > 0 && kvWidth > 0 && tokensPerPage > 0)
        self.layerCount = layerCount
        self.kvWidth = kvWidth
        self.tokensPerPage = tokensPerPage
    }

    /// Elements (not bytes) per page.
    public var elementsPerPage: Int { tokensPerPage * 2 * kvWidth }

    /// Pages a sequence of `tokenCount` tokens needs for its KV cache (all layers).
    public func kvPageCount(tokenCount: Int) -> Int {
        ((tokenCount + tokensPerPage - 1) / tokensPerPage) * layerCount
    }

    /// Pages an adapter stream of `elementCount` elements needs.
    public func adapterPageCount(elementCount: Int) -> Int {
        (elementCount + elementsPerPage - 1) / elementsPerPage
    }

    /// Offset in the pool (in elements) of K (`isValue == false`) or V of `position` in `layer`,
    /// given the sequence's page table.
    public func kvOffset(pageTable: [PageIndex], layer: Int, position: Int, isValue: Bool) -> Int {
        let block = position / tokensPerPage
        let page = pageTable[block * layerCount + layer]
        let inPage = (isValue ? tokensPerPage * kvWidth : 0) + (position % tokensPerPage) * kvWidth
        return Int(page.rawValue) * elementsPerPage + inPage
    }
}
