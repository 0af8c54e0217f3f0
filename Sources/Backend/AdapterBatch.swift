// The plain data that tells LoRA kernels which adapter each token uses and where that
// adapter's rows are in the unified pool. Kernels never see requests, only this.

import MemoryPool

/// The adapters of one step (host memory), S-LoRA's MBGMM/MBGMV inputs.
///
/// Slot `a` is one distinct resident adapter used in the step. For (slot, layer, module) the
/// descriptor gives the rank (0 = not targeted), the stream offsets of A `[rank, in]` and
/// Bᵀ `[rank, out]`, and the scaling. Stream element `e` of slot `a` is pool element
/// `pages[a · pageStride + e / elementsPerPage] · elementsPerPage + e % elementsPerPage`.
public struct AdapterBatch: Sendable {
    public static let moduleCount = LoRAModule.allCases.count

    /// [tokenCount] adapter slot of each token, -1 for the base model.
    public let tokenSlots: [Int32]
    /// [slotCount, pageStride] pool pages of each slot's stream, padded with -1.
    public let pages: [Int32]
    public let pageStride: Int
    /// [slotCount, layerCount, moduleCount, 3]: rank, aOffset, bOffset.
    public let descriptors: [Int32]
    /// [slotCount, layerCount, moduleCount] scaling (0 where not targeted).
    public let scalings: [Float]
    public let slotCount: Int
    public let layerCount: Int
    /// Largest rank of any (slot, layer, module): the width of the shrink output.
    public let maxRank: Int

    /// One resident adapter as the batch needs it.
    public struct Slot: Sendable {
        public let layout: AdapterStreamLayout
        /// [layerCount][moduleCount]
        public let scalings: [[Float]]
        public let pages: [PageIndex]
        public init(layout: AdapterStreamLayout, scalings: [[Float]], pages: [PageIndex]) {
            self.layout = layout
            self.scalings = scalings
            self.pages = pages
        }
    }

    /// An adapter batch with no adapters (every token on the base model).
    public static func none(tokenCount: Int, layerCount: Int) -> AdapterBatch {
        AdapterBatch(tokenSlots: [Int32](repeating: -1, count: tokenCount), slots: [], layerCount: layerCount)
    }

    public init(tokenSlots: [Int32], slots: [Slot], layerCount: Int) {
        let m = Self.moduleCount
        let stride = max(1, slots.map(\.pages.count).max() ?? 1)
        var pages = [Int32](repeating: -1, count: stride * slots.count)
        var descriptors = [Int32](repeating: 0, count: slots.count * layerCount * m * 3)
        var scalings = [Float](repeating: 0, count: slots.count * layerCount * m)
        var maxRank = 0
        for (a, slot) in slots.enumerated() {
            precondition(slot.layout.layerCount == layerCount)
            for (i, page) in slot.pages.enumerated() { pages[a * stride + i] = page.rawValue }
            for layer in 0..<layerCount {
                for module in LoRAModule.allCases {
                    guard let entry = slot.layout.entry(layer: layer, module: module) else { continue }
                    let d = (a * layerCount + layer) * m + module.index
                    descriptors[d * 3] = Int32(entry.rank)
                    descriptors[d * 3 + 1] = Int32(entry.aOffset)
                    descriptors[d * 3 + 2] = Int32(entry.bOffset)
                    scalings[d] = slot.scalings[layer][module.index]
                    maxRank = max(maxRank, entry.rank)
                }
            }
        }
        for s in tokenSlots { precondition(s >= -1 && Int(s) < slots.count, "token slot out of range") }
        self.tokenSlots = tokenSlots
        self.pages = pages
        self.pageStride = stride
        self.descriptors = descriptors
        self.scalings = scalings
        self.slotCount = slots.count
        self.layerCount = layerCount
        self.maxRank = maxRank
    }

    /// `true` when some token of the step uses an adapter that targets `module` in `layer`.
    public func targets(layer: Int, module: LoRAModule) -> Bool {
        (0..<slotCount).contains { a in descriptors[((a * layerCount + layer) * Self.moduleCount + module.index) * 3] > 0 }
    }
}
