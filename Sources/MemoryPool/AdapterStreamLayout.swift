// Where each LoRA matrix of one adapter sits in its contiguous element stream.

/// The layout of one adapter's weights as one stream of elements.
///
/// Order: for each layer `l`, for each targeted module `m` (in `LoRAModule.allCases` order):
/// A as `[rank, inputWidth(m)]` (row-major, PEFT's `lora_A.weight` as saved), then Bᵀ as
/// `[rank, outputWidth(m)]` (PEFT's `lora_B.weight` is `[out, rank]`; we store it transposed so
/// that each rank-row is contiguous). Rank-row `j` of a module is A row `j` and Bᵀ row `j`.
public struct AdapterStreamLayout: Sendable, Hashable {
    /// One targeted (layer, module): its rank and where its A and Bᵀ start in the stream.
    public struct Entry: Sendable, Hashable {
        public let rank: Int
        /// Stream offset (elements) of A `[rank, inputWidth]`.
        public let aOffset: Int
        /// Stream offset (elements) of Bᵀ `[rank, outputWidth]`.
        public let bOffset: Int
    }

    public let layerCount: Int
    /// `[layerCount][LoRAModule.allCases.count]`, nil where the module is not targeted.
    public let entries: [[Entry?]]
    /// Total elements in the stream.
    public let elementCount: Int

    /// - Parameter ranks: `ranks[l][m.index]`, 0 where module `m` of layer `l` is not targeted.
    public init(ranks: [[Int]], widths: ProjectionWidths) {
        var offset = 0
        var entries: [[Entry?]] = []
        for layerRanks in ranks {
            precondition(layerRanks.count == LoRAModule.allCases.count)
            var row: [Entry?] = []
            for module in LoRAModule.allCases {
                let rank = layerRanks[module.index]
                precondition(rank >= 0)
                if rank == 0 {
                    row.append(nil)
                    continue
                }
                let aOffset = offset
                offset += rank * widths.inputWidth(module)
                let bOffset = offset
                offset += rank * widths.outputWidth(module)
                row.append(Entry(rank: rank, aOffset: aOffset, bOffset: bOffset))
            }
            entries.append(row)
        }
        self.layerCount = ranks.count
        self.entries = entries
        self.elementCount = offset
    }

    public func entry(layer: Int, module: LoRAModule) -> Entry? { entries[layer][module.index] }
}
