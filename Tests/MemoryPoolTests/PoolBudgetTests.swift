// Tests of PoolBudget's sizing arithmetic against scripts/memory_arithmetic.py (docs/memory.md).

import MemoryPool
import Testing

/// A model's dims as in its config.json: name, H, layers, heads, kv heads, head_dim, I.
private struct ModelDims: Sendable, CustomStringConvertible {
    let name: String
    let hidden, layers, heads, kvHeads, headDim, intermediate: Int
    var description: String { name }

    func budget(elementByteCount: Int = 2) -> PoolBudget {
        let widths = ProjectionWidths(
            hiddenSize: hidden, queryWidth: heads * headDim, kvWidth: kvHeads * headDim, intermediateSize: intermediate)
        return PoolBudget(widths: widths, layerCount: layers, elementByteCount: elementByteCount)
    }
}

private let llama2 = ModelDims(name: "Llama-2-7B", hidden: 4096, layers: 32, heads: 32, kvHeads: 32, headDim: 128, intermediate: 11008)
private let llama3 = ModelDims(name: "Llama-3-8B", hidden: 4096, layers: 32, heads: 32, kvHeads: 8, headDim: 128, intermediate: 14336)
private let smol = ModelDims(name: "SmolLM2-135M", hidden: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64, intermediate: 1536)

private let attention: Set<LoRAModule> = [.q, .k, .v, .o]
private let allModules = Set(LoRAModule.allCases)

@Suite struct PoolBudgetTests {
    /// Oracle: the tables of docs/memory.md, produced independently by scripts/memory_arithmetic.py
    /// (bf16, 16 tokens per page): page bytes, KV bytes per token, pages per GiB and KV tokens per GiB.
    @Test(arguments: [(llama2, 262_144, 524_288, 4096, 2048), (llama3, 65_536, 131_072, 16_384, 8192),
                      (smol, 12_288, 23_040, 87_381, 46_592)])
    fileprivate func pageAndKVSizesMatchTheScript(
        model: ModelDims, pageBytes: Int, kvBytesPerToken: Int, pagesPerGiB: Int, tokensPerGiB: Int
    ) {
        let budget = model.budget()
        #expect(budget.pageByteCount == pageBytes)
        #expect(budget.kvByteCountPerToken == kvBytesPerToken)
        #expect(budget.pageCount(byteBudget: 1 << 30) == pagesPerGiB)
        #expect(budget.kvTokenCapacity(pageCount: pagesPerGiB) == tokensPerGiB)
        #expect(budget.byteCount(pageCount: 3) == 3 * pageBytes)
        #expect(model.budget(elementByteCount: 4).pageByteCount == 2 * pageBytes)
    }

    /// Oracle: scripts/memory_arithmetic.py's adapter table (stream elements and pages for rank 8
    /// on q,k,v,o and on all seven modules) and its per-module pages per rank-row.
    @Test func adapterPagesMatchTheScript() {
        let l3 = llama3.budget()
        #expect(l3.adapterElementCount(rank: 8, modules: attention) == 6_815_744)
        #expect(l3.adapterPageCount(rank: 8, modules: attention) == 208)
        #expect(l3.adapterPageCount(rank: 64, modules: allModules) == 5120)
        #expect(l3.pagesPerRankRow(.gate) == 0.5625)
        #expect(l3.pagesPerRankRow(.k) == 0.15625)
        #expect(llama2.budget().adapterPageCount(rank: 8, modules: allModules) == 153)
        let s = smol.budget()
        #expect(s.adapterElementCount(rank: 8, modules: allModules) == 2_442_240)
        #expect(s.adapterPageCount(rank: 8, modules: allModules) == 398)
        #expect(s.rankRowElementCount(.down) == 1536 + 576)
    }

    /// Oracle: AdapterStreamLayout. For uniform ranks on a module subset, `adapterElementCount`
    /// equals the layout's `elementCount` and `adapterPageCount(layout:)` agrees with it.
    @Test(arguments: [attention, allModules, [LoRAModule.down], [LoRAModule.k, .up]])
    func uniformAdapterMatchesStreamLayout(modules: Set<LoRAModule>) {
        let budget = smol.budget()
        let ranks = Array(
            repeating: LoRAModule.allCases.map { modules.contains($0) ? 16 : 0 }, count: smol.layers)
        let layout = AdapterStreamLayout(ranks: ranks, widths: budget.widths)
        #expect(budget.adapterElementCount(rank: 16, modules: modules) == layout.elementCount)
        #expect(budget.adapterPageCount(layout: layout) == budget.adapterPageCount(rank: 16, modules: modules))
    }
}
