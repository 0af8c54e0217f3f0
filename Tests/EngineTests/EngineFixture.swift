// The golden fixture model (Tests/Fixtures/models/mha-untied, made by scripts/make_fixtures.py) on the
// CPU backend, its PEFT adapters, and HF's greedy continuations; plus an event recorder for sinks.

import Adapters
import CPUBackend
import Checkpoint
import Engine
import Foundation
import Llama
import Synchronization

/// The repository's `Tests/Fixtures` folder.
let fixturesDirectory: URL = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures")
}()

/// The fixture model with its adapters and golden continuations.
struct EngineFixture {
    static let adapterNames = ["r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]

    let directory: URL
    let config: LlamaConfiguration
    let model: LlamaModel<CPUBackend>
    let adapters: [String: LoRAAdapter]
    /// HF `generate` greedy continuations: 12 tokens each, EOS never among them.
    let continuations: [(adapter: String?, prompt: [Int32], generated: [Int32])]

    init(_ name: String = "mha-untied") throws {
        directory = fixturesDirectory.appendingPathComponent("models/\(name)")
        config = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try ModelCheckpoint(directory: directory)
        model = try LlamaModel(config: config, source: checkpoint, backend: CPUBackend(threadCount: 1), tokensPerPage: 4)
        var adapters: [String: LoRAAdapter] = [:]
        for adapter in Self.adapterNames {
            adapters[adapter] = try LoRAAdapter.load(name: adapter, directory: directory.appendingPathComponent("adapters/\(adapter)"), base: config)
        }
        self.adapters = adapters
        let json = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        let golden = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        continuations = (golden["continuations"] as! [[String: Any]]).map {
            (
                $0["adapter"] as? String, ($0["prompt"] as! [Int]).map(Int32.init),
                ($0["generated"] as! [Int]).map(Int32.init)
            )
        }
    }

    func adapterDirectory(_ name: String) -> URL { directory.appendingPathComponent("adapters/\(name)") }
}

/// Records the events each request's sink receives (thread-safe: the engine thread writes).
final class EventRecorder: Sendable {
    struct Record: Sendable {
        var tokens: [GeneratedTokenOutput] = []
        var finish: GenerationFinish?
        var failure: GenerationFailure?
        var ended = false
    }

    private let records = Mutex<[Int: Record]>([:])

    func sink(_ key: Int) -> GenerationSink {
        GenerationSink(
            yield: { event in
                self.records.withLock { r in
                    switch event {
                    case .token(let token): r[key, default: Record()].tokens.append(token)
                    case .finished(let finish): r[key, default: Record()].finish = finish
                    }
                }
            },
            finish: { self.records.withLock { $0[key, default: Record()].ended = true } },
            fail: { failure in
                self.records.withLock {
                    $0[key, default: Record()].failure = failure
                    $0[key, default: Record()].ended = true
                }
            })
    }

    subscript(key: Int) -> Record { records.withLock { $0[key] ?? Record() } }
    func ids(_ key: Int) -> [Int32] { self[key].tokens.map(\.id) }
}
