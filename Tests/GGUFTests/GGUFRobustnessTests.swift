// Fuzz-style robustness: valid fixtures truncated at every offset and mutated with random byte flips must either
// parse or throw GGUFError, never trap, including the dequantization and llama views of whatever parses.

import GGUF
import Testing

@Suite struct GGUFRobustnessTests {
    /// Exercises everything a loader would call on a parsed file; any trap fails the whole test run.
    private static func exercise(_ file: GGUFFile) {
        for name in file.tensorNames {
            _ = try? file.floats(name)
            _ = try? file.rawData(name)
        }
        for key in file.metadataKeys {
            _ = file.int(key)
            _ = file.float(key)
            _ = file.stringArray(key)
            _ = file.intArray(key)
            _ = file.floatArray(key)
        }
        guard let hp = try? GGUFLlamaHyperparameters(file: file), (try? hp.validateTensorShapes(in: file)) != nil
        else { return }
        for layer in 0..<hp.layerCount {
            for (kind, heads) in [("attn_q", hp.headCount), ("attn_k", hp.kvHeadCount)] {
                let name = GGUFLlamaLayout.blockTensorName(kind, layer: layer)
                guard let info = file.tensors[name], let w = try? file.floats(name) else { continue }
                _ = GGUFLlamaLayout.unpermuteQK(w, rows: info.rowCount, cols: info.rowLength, headCount: heads)
            }
        }
    }

    /// Oracle: invariant — every strict prefix that cuts into tensor data or headers throws; nothing traps.
    @Test(arguments: ["all_types.gguf", "aligned64.gguf", "llama_tiny.gguf"])
    func truncationAtEveryOffsetThrowsOrParses(fixture: String) throws {
        let bytes = try GGUFFixture.bytes(fixture)
        let full = try GGUFFile(bytes: bytes)
        let lastTensorEnd = full.tensors.values.map(\.byteRange.upperBound).max() ?? full.dataOffset
        // Every offset in the headers; every 7th inside the (larger) data section.
        let cuts = Array(0..<full.dataOffset) + Array(stride(from: full.dataOffset, to: bytes.count, by: 7))
        for cut in cuts {
            do {
                let parsed = try GGUFFile(bytes: Array(bytes.prefix(cut)))
                #expect(cut >= lastTensorEnd, "prefix of \(cut) bytes parsed")
                Self.exercise(parsed)
            } catch {
                // Throwing is always acceptable; only trapping is not.
            }
        }
    }

    /// Oracle: invariant — thousands of random 1–4 byte mutations (fixed seed) never trap; most are caught.
    @Test(arguments: ["all_types.gguf", "llama_tiny.gguf"])
    func randomByteFlipsThrowOrParse(fixture: String) throws {
        let original = try GGUFFixture.bytes(fixture)
        let headerEnd = try GGUFFile(bytes: original).dataOffset
        var random = SplitMix64(seed: 0x6767_7566)
        var parsedCount = 0
        for iteration in 0..<3_000 {
            var bytes = original
            for _ in 0...(random.next() % 4) {
                // Bias mutations towards the header, where the structure lives.
                let limit = iteration % 4 == 0 ? bytes.count : headerEnd
                let position = Int(random.next() % UInt64(limit))
                bytes[position] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            }
            if let parsed = try? GGUFFile(bytes: bytes) {
                parsedCount += 1
                Self.exercise(parsed)
            }
        }
        #expect(parsedCount > 0)  // mutations of tensor data and of values still parse
    }
}

/// A tiny deterministic PRNG (SplitMix64) so the fuzz cases are the same on every run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
