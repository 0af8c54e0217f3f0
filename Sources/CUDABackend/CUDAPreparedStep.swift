// One step's batch data on the device: the StepBatch and AdapterBatch arrays packed into one buffer of
// 32-bit words (one host→device copy per step), plus `StepShape`, the only host-side facts launches
// may depend on (so a CUDA graph keyed by the shape replays correctly with new data).

import Backend
import CUDADriver
import MemoryPool

/// Everything about a step that decides grid sizes and kernel choices. Two steps with equal shapes
/// launch exactly the same kernels with the same scalar arguments (only buffer contents differ).
public struct StepShape: Hashable, Sendable {
    public let tokenCount: Int
    public let sequenceCount: Int
    public let pageTableStride: Int
    public let logitRowCount: Int
    public let slotCount: Int
    public let adapterPageStride: Int
    public let layerCount: Int
    /// AdapterBatch.maxRank: the row stride of the LoRA shrink output.
    public let maxRank: Int
    /// LoRA tiles (runs of ≤ LaunchGeometry.loraTile tokens on one adapter).
    public let tileCount: Int
    /// Attention query tiles (`LaunchGeometry.attentionTiles`); 0 when every token goes to the per-token kernel.
    public let attentionTileCount: Int
    /// Tokens that use an adapter.
    public let adapterTokenCount: Int
    /// `LaunchGeometry.lengthBucketCount(maxLength:)` of the longest attention span (position + 1).
    public let lengthBucketCount: Int
    /// `[layerCount · 7]`: 1 where some slot targets (layer, module); the model launches LoRA by it.
    public let targets: [UInt8]
    /// Every targeted (slot, layer, module)'s A and Bᵀ offsets are multiples of 8 (needed, with 8 | widths
    /// and 8 | elementsPerPage, by the 8-wide LoRA kernels' aligned loads).
    public let streamOffsetsAligned: Bool

    /// True when every token is a decode token of its own sequence (the steps worth a CUDA graph).
    public var isDecode: Bool { tokenCount == sequenceCount }
}

/// Word offsets of each array inside the packed buffer.
struct StepLayout: Hashable, Sendable {
    var tokens = 0
    var positions = 0
    var tokenSequence = 0
    var pageTables = 0
    var logitRows = 0
    var tokenSlots = 0
    var adapterPages = 0
    var descriptors = 0
    var scalings = 0
    var tiles = 0
    var attentionTiles = 0
    var attentionSingle = 0
    var wordCount = 0

    /// Packs `step` and `adapters` into words (f32 scalings as their bit patterns) and derives the shape.
    static func pack(step: StepBatch, adapters: AdapterBatch) -> (words: [UInt32], layout: StepLayout, shape: StepShape) {
        var words: [UInt32] = []
        var layout = StepLayout()
        func append(_ values: [Int32]) -> Int {
            let offset = words.count
            words.append(contentsOf: values.map { UInt32(bitPattern: $0) })
            return offset
        }
        let tiles = LaunchGeometry.loraTiles(tokenSlots: adapters.tokenSlots)
        layout.tokens = append(step.tokens)
        layout.positions = append(step.positions)
        layout.tokenSequence = append(step.tokenSequence)
        layout.pageTables = append(step.pageTables)
        layout.logitRows = append(step.logitRows)
        layout.tokenSlots = append(adapters.tokenSlots)
        layout.adapterPages = append(adapters.pages)
        layout.descriptors = append(adapters.descriptors)
        layout.scalings = words.count
        words.append(contentsOf: adapters.scalings.map(\.bitPattern))
        layout.tiles = append(tiles.flatMap { [Int32($0.start), Int32($0.count), Int32($0.slot)] })
        let attention = LaunchGeometry.attentionTiles(positions: step.positions, tokenSequence: step.tokenSequence)
        layout.attentionTiles = append(attention.tiles.flatMap { $0 })
        layout.attentionSingle = append(attention.tiles.isEmpty ? [] : attention.single)
        if words.isEmpty { words.append(0) }
        layout.wordCount = words.count

        let maxLength = Int(step.positions.max() ?? 0) + 1
        var targets = [UInt8](repeating: 0, count: adapters.layerCount * AdapterBatch.moduleCount)
        for layer in 0..<adapters.layerCount {
            for module in LoRAModule.allCases where adapters.targets(layer: layer, module: module) {
                targets[layer * AdapterBatch.moduleCount + module.index] = 1
            }
        }
        var aligned = true
        for d in stride(from: 0, to: adapters.descriptors.count, by: 3) where adapters.descriptors[d] > 0 {
            if adapters.descriptors[d + 1] % 8 != 0 || adapters.descriptors[d + 2] % 8 != 0 { aligned = false }
        }
        let shape = StepShape(
            tokenCount: step.tokenCount, sequenceCount: step.sequenceCount, pageTableStride: step.pageTableStride,
            logitRowCount: step.logitRows.count, slotCount: adapters.slotCount, adapterPageStride: adapters.pageStride,
            layerCount: adapters.layerCount, maxRank: adapters.maxRank, tileCount: tiles.count,
            attentionTileCount: attention.tiles.count,
            adapterTokenCount: adapters.tokenSlots.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) },
            lengthBucketCount: LaunchGeometry.lengthBucketCount(maxLength: maxLength), targets: targets,
            streamOffsetsAligned: aligned)
        return (words, layout, shape)
    }
}

/// A step's arrays on the device (see `StepLayout`), read by every op of the step.
public final class CUDAPreparedStep: @unchecked Sendable {
    public let shape: StepShape
    let layout: StepLayout
    /// Keeps the packed words alive (a cached tensor, or a graph record's fixed buffer).
    let storage: AnyObject
    let base: CUdeviceptr

    init(shape: StepShape, layout: StepLayout, storage: AnyObject, base: CUdeviceptr) {
        self.shape = shape
        self.layout = layout
        self.storage = storage
        self.base = base
    }

    private func address(_ wordOffset: Int) -> CUdeviceptr { base + UInt64(wordOffset * 4) }

    /// [T] int32
    var tokens: CUdeviceptr { address(layout.tokens) }
    /// [T] int32
    var positions: CUdeviceptr { address(layout.positions) }
    /// [T] int32
    var tokenSequence: CUdeviceptr { address(layout.tokenSequence) }
    /// [S, pageTableStride] int32
    var pageTables: CUdeviceptr { address(layout.pageTables) }
    /// [logitRows] int32
    var logitRows: CUdeviceptr { address(layout.logitRows) }
    /// [T] int32
    var tokenSlots: CUdeviceptr { address(layout.tokenSlots) }
    /// [slots, adapterPageStride] int32
    var adapterPages: CUdeviceptr { address(layout.adapterPages) }
    /// [slots, L, 7, 3] int32
    var descriptors: CUdeviceptr { address(layout.descriptors) }
    /// [slots, L, 7] f32
    var scalings: CUdeviceptr { address(layout.scalings) }
    /// [tiles, 3] int32
    var tiles: CUdeviceptr { address(layout.tiles) }
    /// [attentionTileCount, 4] int32 (first token, count, sequence, first position)
    var attentionTiles: CUdeviceptr { address(layout.attentionTiles) }
    /// [T] int32, 1 for tokens the per-token kernel computes (present when attentionTileCount > 0)
    var attentionSingle: CUdeviceptr { address(layout.attentionSingle) }
}
