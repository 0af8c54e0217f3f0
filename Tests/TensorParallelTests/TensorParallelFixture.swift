// A golden fixture model (Tests/Fixtures/models/<name>) run as N tensor-parallel ranks in one process:
// one LlamaModel, CPU backend and pool per rank, one host PagePool whose page tables every rank shares,
// adapters sharded per rank and written to the same pages of every rank's pool. N = 1 is the oracle.

import Adapters
import Backend
import CPUBackend
import Checkpoint
import Foundation
import Llama
import MemoryPool

/// The repository's `Tests/Fixtures` folder.
let fixturesDirectory: URL = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures")
}()

/// A fixture model's files: config, checkpoint, adapters, and the prompts of its golden records.
struct FixtureFiles {
    static let adapterNames = ["r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]

    let config: LlamaConfiguration
    let checkpoint: ModelCheckpoint
    let adapters: [String: LoRAAdapter]
    /// [5] prompts of the golden continuations.
    let prompts: [[Int32]]

    init(_ name: String) throws {
        let directory = fixturesDirectory.appendingPathComponent("models/\(name)")
        config = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        checkpoint = try ModelCheckpoint(directory: directory)
        var adapters: [String: LoRAAdapter] = [:]
        for adapter in Self.adapterNames {
            adapters[adapter] = try LoRAAdapter.load(
                name: adapter, directory: directory.appendingPathComponent("adapters/\(adapter)"), base: config)
        }
        self.adapters = adapters
        let json = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        guard let golden = try JSONSerialization.jsonObject(with: json) as? [String: Any],
            let continuations = golden["continuations"] as? [[String: Any]]
        else { throw FixtureError.malformedGolden(name) }
        prompts = try continuations.map {
            guard let prompt = $0["prompt"] as? [Int] else { throw FixtureError.malformedGolden(name) }
            return prompt.map(Int32.init)
        }
    }
}

/// A fixture whose golden.json lacks the prompts.
enum FixtureError: Error {
    case malformedGolden(String)
}

/// The rank models of one group (each rank's model is used only on that rank's thread).
struct RankModels: @unchecked Sendable {
    let models: [LlamaModel<CPUBackend>]
    let pools: [CPUTensor]
}

/// `worldSize` ranks of one fixture model driven step by step with one scheduler decision per step.
final class TensorParallelHarness {
    let files: FixtureFiles
    let worldSize: Int
    let group: InProcessCollectiveGroup
    let ranks: RankModels
    let pagePool: PagePool
    var adapterSlots: [String: AdapterBatch.Slot] = [:]
    var tables: [SequencePageTable] = []

    var geometry: PageGeometry { ranks.models[0].geometry }

    init(_ files: FixtureFiles, worldSize: Int, pageCount: Int = 1024) throws {
        self.files = files
        self.worldSize = worldSize
        group = InProcessCollectiveGroup(worldSize: worldSize)
        var models: [LlamaModel<CPUBackend>] = []
        for rank in 0..<worldSize {
            models.append(
                try LlamaModel(
                    config: files.config, source: files.checkpoint, backend: CPUBackend(threadCount: 1),
                    tokensPerPage: 4, collective: worldSize == 1 ? nil : group.endpoint(rank: rank)))
        }
        let pools = models.map { $0.backend.makePool(pageCount: pageCount, geometry: $0.geometry) }
        ranks = RankModels(models: models, pools: pools)
        pagePool = PagePool(pageCount: pageCount)
        for (i, name) in FixtureFiles.adapterNames.enumerated() {
            let shards = models.map { files.adapters[name]!.shard($0.shard) }  // same layout on every rank
            let table = AdapterPageTable.allocate(
                elementCount: shards[0].layout.elementCount, geometry: geometry, pool: pagePool,
                owner: AdapterSlotID(i))!
            for (rank, shard) in shards.enumerated() {
                models[rank].backend.writeAdapter(shard.stream, pages: table.pages, pool: pools[rank], geometry: geometry)
            }
            adapterSlots[name] = AdapterBatch.Slot(layout: shards[0].layout, scalings: shards[0].scalings, pages: table.pages)
        }
    }

    /// Adds a sequence with room for `tokenCount` tokens; returns its index.
    func addSequence(tokenCount: Int) -> Int {
        var table = SequencePageTable(geometry: geometry)
        precondition(table.reserve(tokenCount: tokenCount, in: pagePool, owner: SequenceSlotID(tables.count)))
        tables.append(table)
        return tables.count - 1
    }

    /// Runs one step on every rank: per part a sequence, its new tokens, first position and adapter.
    /// - Returns: `[rank][logitRow][V]` logits.
    func step(_ parts: [(sequence: Int, tokens: [Int32], start: Int, adapter: String?)], allLogits: Bool) -> [[[Float]]] {
        let batch = StepBatch(sequences: parts.map { ($0.tokens, $0.start, tables[$0.sequence].pages, allLogits) })
        var names: [String] = []
        var tokenSlots: [Int32] = []
        for part in parts {
            var slot: Int32 = -1
            if let a = part.adapter {
                if let i = names.firstIndex(of: a) { slot = Int32(i) } else { names.append(a); slot = Int32(names.count - 1) }
            }
            tokenSlots += [Int32](repeating: slot, count: part.tokens.count)
        }
        let adapters = AdapterBatch(
            tokenSlots: tokenSlots, slots: names.map { adapterSlots[$0]! }, layerCount: files.config.layerCount)
        let vocab = files.config.vocabularySize
        let ranks = self.ranks
        return group.run { rank in
            let model = ranks.models[rank]
            let logits = model.forward(step: batch, adapters: adapters, pool: ranks.pools[rank])
            let flat = model.backend.download(logits, count: batch.logitRows.count * vocab)
            return (0..<batch.logitRows.count).map { Array(flat[($0 * vocab)..<(($0 + 1) * vocab)]) }
        }
    }
}

/// max|a − b| / max|b|.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var diff: Float = 0
    var scale: Float = 0
    for i in a.indices {
        diff = max(diff, abs(a[i] - b[i]))
        scale = max(scale, abs(b[i]))
    }
    return diff / max(scale, 1e-30)
}

func argmax(_ x: [Float]) -> Int32 {
    var best = 0
    for i in x.indices where x[i] > x[best] { best = i }
    return Int32(best)
}
