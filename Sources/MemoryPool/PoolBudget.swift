// Sizing arithmetic for the unified pool: bytes → pages, and what a KV token or an adapter costs in pages.
// Used by the engine to size the pool and by docs/memory.md (scripts/memory_arithmetic.py mirrors it).

/// The sizes of one model's unified pool at one element type.
///
/// ```swift
/// let budget = PoolBudget(widths: widths, layerCount: 32, elementByteCount: 2)   // bf16
/// let pool = PagePool(pageCount: budget.pageCount(byteBudget: 60 << 30))
/// let tokens = budget.kvTokenCapacity(pageCount: pool.pageCount)
/// ```
public struct PoolBudget: Sendable, Hashable {
    public let geometry: PageGeometry
    public let widths: ProjectionWidths
    /// Bytes per pool element: 4 for f32 (CPU backend), 2 for bf16 (GPU).
    public let elementByteCount: Int

    /// - Precondition: `geometry.kvWidth == widths.kvWidth`.
    public init(geometry: PageGeometry, widths: ProjectionWidths, elementByteCount: Int) {
        precondition(geometry.kvWidth == widths.kvWidth, "geometry kvWidth \(geometry.kvWidth) ≠ model kvWidth \(widths.kvWidth)")
        precondition(elementByteCount > 0)
        self.geometry = geometry
        self.widths = widths
        self.elementByteCount = elementByteCount
    }

    /// The budget of a model with `layerCount` layers, pages of `tokensPerPage` tokens.
    public init(widths: ProjectionWidths, layerCount: Int, tokensPerPage: Int = 16, elementByteCount: Int) {
        self.init(
            geometry: PageGeometry(layerCount: layerCount, kvWidth: widths.kvWidth, tokensPerPage: tokensPerPage),
            widths: widths, elementByteCount: elementByteCount)
    }

    // MARK: - Pages and bytes

    /// Bytes per page: `tokensPerPage · 2 · kvWidth · elementByteCount`.
    public var pageByteCount: Int { geometry.elementsPerPage * elementByteCount }

    /// Whole pages that fit in `byteBudget` bytes (capped at `Int32.max`, the largest ``PageIndex``).
    public func pageCount(byteBudget: Int) -> Int {
        precondition(byteBudget >= 0)
        return min(byteBudget / pageByteCount, Int(Int32.max))
    }

    /// Bytes taken by `pageCount` pages.
    public func byteCount(pageCount: Int) -> Int { pageCount * pageByteCount }

    // MARK: - KV cache

    /// KV bytes per token, all layers: `2 · layerCount · kvWidth · elementByteCount`.
    public var kvByteCountPerToken: Int { 2 * geometry.layerCount * geometry.kvWidth * elementByteCount }

    /// Tokens of KV that `pageCount` pages hold, if they all went to one sequence.
    public func kvTokenCapacity(pageCount: Int) -> Int {
        (pageCount / geometry.layerCount) * geometry.tokensPerPage
    }

    // MARK: - Adapters

    /// Elements of one rank-row of `module` in one layer: an A row plus a Bᵀ row, `in + out`.
    public func rankRowElementCount(_ module: LoRAModule) -> Int {
        widths.inputWidth(module) + widths.outputWidth(module)
    }

    /// Pages one rank-row of `module` in one layer fills, as a fraction (rows pack back to back).
    public func pagesPerRankRow(_ module: LoRAModule) -> Double {
        Double(rankRowElementCount(module)) / Double(geometry.elementsPerPage)
    }

    /// Stream elements of an adapter of rank `rank` on `modules` in every layer: `L · Σ r · (in + out)`.
    /// Equals ``AdapterStreamLayout/elementCount`` for the same uniform ranks.
    public func adapterElementCount(rank: Int, modules: Set<LoRAModule>) -> Int {
        precondition(rank >= 0)
        return geometry.layerCount * modules.reduce(0) { $0 + rank * rankRowElementCount($1) }
    }

    /// Pages of an adapter of rank `rank` on `modules` in every layer.
    public func adapterPageCount(rank: Int, modules: Set<LoRAModule>) -> Int {
        geometry.adapterPageCount(elementCount: adapterElementCount(rank: rank, modules: modules))
    }

    /// Pages of an adapter with this stream layout.
    public func adapterPageCount(layout: AdapterStreamLayout) -> Int {
        geometry.adapterPageCount(elementCount: layout.elementCount)
    }
}
