// The page geometry of the unified pool: how KV tokens and adapter rows map onto fixed-size pages.
// docs/memory.md gives the arithmetic for real models.

/// The shape of one page of the unified pool, fixed per model.
///
/// A page holds `elementsPerPage = tokensPerPage · 2 · kvWidth` elements.
/// - **KV:** a page holds `tokensPerPage` consecutive tokens of one sequence for one layer,
///   laid out `[2 (K, V)][kvWidth / headDim][tokensPerPage][headDim]`: with `headDim == kvWidth` (the
///   default, what models use) whole rows `[2][tokensPerPage][kvWidth]`; with the model's head dim,
///   head-major pages where one KV head's positions are contiguous. A sequence's page table lists
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
    /// Elements of one head's K (or V) row: the unit the page layout keeps contiguous per position.
    public let headDim: Int

    /// - Parameter headDim: the model's head dimension (must divide kvWidth); nil: kvWidth (rows whole).
    public init(layerCount: Int, kvWidth: Int, tokensPerPage: Int = 16, headDim: Int? = nil) {
        let headDim = headDim ?? kvWidth
        precondition(layerCount > 0 && kvWidth > 0 && tokensPerPage > 0 && headDim > 0 && kvWidth % headDim == 0)
        self.layerCount = layerCount
        self.kvWidth = kvWidth
        self.tokensPerPage = tokensPerPage
        self.headDim = headDim
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

    /// Offset in the pool (in elements) of element `column` (< kvWidth) of K (`isValue == false`) or V of
    /// `position` in `layer`, given the sequence's page table. Elements `column…` up to the end of that
    /// column's head (`headDim` boundary) are contiguous.
    public func kvOffset(pageTable: [PageIndex], layer: Int, position: Int, isValue: Bool, column: Int = 0) -> Int {
        let block = position / tokensPerPage
        let page = pageTable[block * layerCount + layer]
        return Int(page.rawValue) * elementsPerPage + kvOffsetInPage(position: position, isValue: isValue, column: column)
    }

    /// Offset inside a page of element `column` of K or V of `position` (see `kvOffset`). Inlinable: the
    /// CPU backend's attention calls it for every position.
    @inlinable
    public func kvOffsetInPage(position: Int, isValue: Bool, column: Int) -> Int {
        (isValue ? tokensPerPage * kvWidth : 0) + (column / headDim) * (tokensPerPage * headDim)
            + (position % tokensPerPage) * headDim + column % headDim
    }
}
