// The KV page table of one sequence: which pool pages hold its K and V, block by block, layer by layer.
// Grows all-or-nothing from a PagePool; knows nothing of tensors (PageGeometry turns it into offsets).

/// The KV cache pages of one sequence, in the `[block][layer]` order ``PageGeometry`` documents:
/// the page of (block `b`, layer `l`) is `pages[b · layerCount + l]`; block `b` covers positions
/// `[b · tokensPerPage, (b + 1) · tokensPerPage)`.
///
/// ```swift
/// var table = SequencePageTable(geometry: geometry)
/// guard table.reserve(tokenCount: promptLength + 1, in: pool, owner: slot) else { /* wait */ }
/// let kOffset = table.kvOffset(layer: 0, position: 0, isValue: false)
/// table.release(to: pool)
/// ```
public struct SequencePageTable: Sendable, Hashable {
    // MARK: - State

    public let geometry: PageGeometry
    /// [blockCount · layerCount]: the page of (block b, layer l) is at `b · layerCount + l`.
    public private(set) var pages: [PageIndex]
    /// The sequence that owns `pages`; set by the first reservation that allocates, cleared by `release`.
    public private(set) var owner: SequenceSlotID?

    /// An empty table (no pages, capacity 0).
    public init(geometry: PageGeometry) {
        self.geometry = geometry
        self.pages = []
        self.owner = nil
    }

    // MARK: - Capacity

    /// Blocks of `tokensPerPage` tokens covered (each is `layerCount` pages).
    public var blockCount: Int { pages.count / geometry.layerCount }

    /// Tokens whose K and V fit in the reserved pages, for every layer.
    public var capacityTokens: Int { blockCount * geometry.tokensPerPage }

    /// Grows the table so that it covers at least `tokenCount` tokens in every layer.
    ///
    /// All or nothing: when the pool has too few free pages, nothing is allocated and the table
    /// is unchanged. Never shrinks: a `tokenCount` at or below ``capacityTokens`` succeeds at once.
    /// - Precondition: `owner` is the same sequence as in earlier reservations of this table.
    /// - Returns: false when the pool is out of pages (a scheduling outcome: wait or preempt).
    public mutating func reserve(tokenCount: Int, in pool: PagePool, owner: SequenceSlotID) -> Bool {
        precondition(tokenCount >= 0, "negative token count \(tokenCount)")
        precondition(self.owner == nil || self.owner == owner, "table of \(String(describing: self.owner)) reserved for \(owner)")
        let missing = geometry.kvPageCount(tokenCount: tokenCount) - pages.count
        if missing <= 0 { return true }
        guard let new = pool.allocate(missing, for: .sequence(owner)) else { return false }
        pages.append(contentsOf: new)
        self.owner = owner
        return true
    }

    /// Frees every page of the table back to `pool` and empties the table.
    ///
    /// - Returns: how many pages were freed.
    @discardableResult
    public mutating func release(to pool: PagePool) -> Int {
        guard let owner else { return 0 }
        let count = pages.count
        pool.free(pages, from: .sequence(owner))
        pages = []
        self.owner = nil
        return count
    }

    // MARK: - Addressing

    /// The page holding (block, layer).
    public func page(block: Int, layer: Int) -> PageIndex {
        precondition(block >= 0 && block < blockCount && layer >= 0 && layer < geometry.layerCount)
        return pages[block * geometry.layerCount + layer]
    }

    /// Pool offset (elements) of element `column` of the K (`isValue == false`) or V row of `position` in
    /// `layer` (contiguous up to the end of that column's head; `PageGeometry.kvOffset`).
    public func kvOffset(layer: Int, position: Int, isValue: Bool, column: Int = 0) -> Int {
        precondition(position >= 0 && position < capacityTokens, "position \(position) beyond capacity \(capacityTokens)")
        precondition(layer >= 0 && layer < geometry.layerCount)
        return geometry.kvOffset(pageTable: pages, layer: layer, position: position, isValue: isValue, column: column)
    }
}
