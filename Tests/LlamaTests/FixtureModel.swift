// Loads a golden fixture model (Tests/Fixtures/models/<name>, written by scripts/make_fixtures.py)
// onto the CPU backend, with its PEFT adapters and golden records.

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

/// One fixture model with everything the golden tests need.
struct FixtureModel {
    static let adapterNames = ["r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]

    let name: String
    let directory: URL
    let config: LlamaConfiguration
    let checkpoint: ModelCheckpoint
    let backend: CPUBackend
    let model: LlamaModel<CPUBackend>
    let adapters: [String: LoRAAdapter]
    let golden: [String: Any]
    let goldenTensors: SafeTensorsFile

    init(_ name: String, threadCount: Int = 1) throws {
        self.name = name
        directory = fixturesDirectory.appendingPathComponent("models/\(name)")
        config = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        checkpoint = try ModelCheckpoint(directory: directory)
        backend = CPUBackend(threadCount: threadCount)
        model = try LlamaModel(config: config, source: checkpoint, backend: backend, tokensPerPage: 4)
        var adapters: [String: LoRAAdapter] = [:]
        for adapter in Self.adapterNames {
            adapters[adapter] = try LoRAAdapter.load(
                name: adapter, directory: directory.appendingPathComponent("adapters/\(adapter)"), base: config)
        }
        self.adapters = adapters
        let json = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        golden = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        goldenTensors = try SafeTensorsFile(url: directory.appendingPathComponent("golden.safetensors"))
    }

    var mixedBatch: [String: Any] { golden["mixed_batch"] as! [String: Any] }
    /// [5][7]
    var prompts: [[Int32]] { (mixedBatch["prompts"] as! [[Int]]).map { $0.map(Int32.init) } }
    /// [5] adapter of each row (nil = base).
    var rowAdapters: [String?] { (mixedBatch["row_adapters"] as! [Any]).map { $0 as? String } }
    /// [5][8]
    var decodeTokens: [[Int32]] { (mixedBatch["decode_tokens"] as! [[Int]]).map { $0.map(Int32.init) } }
    var continuations: [(adapter: String?, prompt: [Int32], generated: [Int32])] {
        (golden["continuations"] as! [[String: Any]]).map {
            ($0["adapter"] as? String, ($0["prompt"] as! [Int]).map(Int32.init), ($0["generated"] as! [Int]).map(Int32.init))
        }
    }
}

/// A pool with the given adapters resident, for driving `LlamaModel.forward` step by step.
final class PoolHarness {
    let fixture: FixtureModel
    let pool: PagePool
    let poolTensor: CPUTensor
    var adapterSlots: [String: AdapterBatch.Slot] = [:]
    var tables: [SequencePageTable] = []

    init(_ fixture: FixtureModel, pageCount: Int = 4096) {
        self.fixture = fixture
        pool = PagePool(pageCount: pageCount)
        poolTensor = fixture.backend.makePool(pageCount: pageCount, geometry: fixture.model.geometry)
        for (i, name) in FixtureModel.adapterNames.enumerated() {
            let adapter = fixture.adapters[name]!
            let table = AdapterPageTable.allocate(
                elementCount: adapter.layout.elementCount, geometry: fixture.model.geometry, pool: pool,
                owner: AdapterSlotID(i))!
            fixture.backend.writeAdapter(adapter.stream, pages: table.pages, pool: poolTensor, geometry: fixture.model.geometry)
            adapterSlots[name] = AdapterBatch.Slot(layout: adapter.layout, scalings: adapter.scalings, pages: table.pages)
        }
    }

    /// Adds a sequence with room for `tokenCount` tokens; returns its index.
    func addSequence(tokenCount: Int) -> Int {
        var table = SequencePageTable(geometry: fixture.model.geometry)
        precondition(table.reserve(tokenCount: tokenCount, in: pool, owner: SequenceSlotID(tables.count)))
        tables.append(table)
        return tables.count - 1
    }

    /// Runs one step: for each part, a sequence index, its new tokens, the first position and adapter.
    func step(_ parts: [(sequence: Int, tokens: [Int32], start: Int, adapter: String?)], allLogits: Bool) -> [[Float]] {
        let batch = StepBatch(
            sequences: parts.map { ($0.tokens, $0.start, tables[$0.sequence].pages, allLogits) })
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
            tokenSlots: tokenSlots, slots: names.map { adapterSlots[$0]! }, layerCount: fixture.config.layerCount)
        let logits = fixture.model.forward(step: batch, adapters: adapters, pool: poolTensor)
        let vocab = fixture.config.vocabularySize
        let flat = fixture.backend.download(logits, count: batch.logitRows.count * vocab)
        return (0..<batch.logitRows.count).map { Array(flat[($0 * vocab)..<(($0 + 1) * vocab)]) }
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
