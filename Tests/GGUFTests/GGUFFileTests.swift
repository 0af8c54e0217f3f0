// Golden tests of the GGUF reader against gguf-py: metadata of every value type, tensor infos, and bit-exact
// dequantization of F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K and Q6_K (fixtures from scripts/make_gguf_golden.py).

import Foundation
import GGUF
import Testing

@Suite struct GGUFFileTests {
    /// Oracle: gguf-py's GGUFReader on the same file (all_types.json): every key, type and value, in file order.
    @Test func metadataOfEveryTypeMatchesGGUFPy() throws {
        let file = try GGUFFixture.open("all_types.gguf")
        let expected = try GGUFFixture.expected("all_types.json")
        #expect(file.version == 3)
        #expect(Set(file.metadataKeys) == Set(expected.metadata.keys))
        #expect(file.metadataKeys.count == expected.metadata.count)
        for (key, value) in expected.metadata {
            let ours = try #require(file.metadata[key], "missing \(key)")
            #expect(GGUFFixture.ExpectedValue(ours) == value, "\(key)")
        }
    }

    /// Oracle: values written by make_gguf_golden.py (test.* keys), read through the typed accessors.
    @Test func typedAccessorsConvertAndRejectTypes() throws {
        let file = try GGUFFixture.open("all_types.gguf")
        #expect(file.int("test.u8") == 200)
        #expect(file.int("test.i16") == -30_000)
        #expect(file.int("test.u32") == 4_000_000_000)
        #expect(file.int("test.u64") == nil)  // 2^63 + 5 does not fit in Int
        #expect(file.metadata["test.u64"] == .uint64(1 << 63 + 5))
        #expect(file.int("test.i64") == -(1 << 62) - 7)
        #expect(file.float("test.f32") == Float(3.14159))
        #expect(file.float("test.f64") == Float(2.718281828459045))
        #expect(file.metadata["test.f64"]?.doubleValue == 2.718281828459045)
        #expect(file.bool("test.bool_true") == true)
        #expect(file.bool("test.bool_false") == false)
        #expect(file.string("test.string") == "héllo ✓ GGUF")
        #expect(file.string("test.empty_string") == "")
        #expect(file.string("test.u8") == nil)
        #expect(file.int("test.string") == nil)
        #expect(file.stringArray("test.array.string") == ["a", "bc", "", "déf"])
        #expect(file.floatArray("test.array.f32") == [0.5, -1.25, Float(3.0e-5)])
        #expect(file.intArray("test.array.i32") == [-5, 0, 7, 2_147_483_647])
        #expect(file.intArray("test.array.u8") == [1, 2, 255])
        #expect(file.intArray("test.array.u64") == nil)  // 2^64 - 1 does not fit
        #expect(file.intArray("test.array.f32") == nil)
        #expect(file.stringArray("test.array.i32") == nil)
        let nested = try #require(file.metadata["test.array.nested_i32"]?.arrayValue)
        #expect(nested.map(\.intArray) == [[1, 2], [3], [4, 5, 6]])
        #expect(file.architecture == "test")
        #expect(throws: GGUFError.missingKey(file: file.path, key: "nope")) { try file.requiredInt("nope") }
        let mismatch = GGUFError.typeMismatch(file: file.path, key: "test.string", expected: "integer", found: "STRING")
        #expect(throws: mismatch) {
            try file.requiredInt("test.string")
        }
    }

    /// Oracle: gguf-py's tensor infos (type, ne, absolute offset, byte count) and gguf.quants.dequantize values,
    /// compared bit for bit.
    @Test(arguments: ["all_types", "aligned64", "llama_tiny"])
    func tensorsMatchGGUFPyBitExactly(fixture: String) throws {
        let file = try GGUFFixture.open("\(fixture).gguf")
        let expected = try GGUFFixture.expected("\(fixture).json")
        #expect(file.alignment == expected.alignment)
        #expect(file.dataOffset == expected.dataOffset)
        #expect(file.tensorNames == expected.tensors.map(\.name))
        for tensor in expected.tensors {
            let info = try file.tensor(tensor.name)
            #expect(info.type.description == tensor.type, "\(tensor.name)")
            #expect(info.dimensions == tensor.ne, "\(tensor.name)")
            #expect(info.shape == tensor.ne.reversed(), "\(tensor.name)")
            #expect(info.byteRange == tensor.offset..<(tensor.offset + tensor.byteCount), "\(tensor.name)")
            #expect(info.dataOffset % file.alignment == 0)
            #expect(try file.rawData(tensor.name).count == tensor.byteCount)
            let values = try file.floats(tensor.name)
            let oracle = try #require(tensor.values).asFloats
            #expect(values.count == oracle.count, "\(tensor.name)")
            let mismatches = zip(values, oracle).filter { $0.bitPattern != $1.bitPattern }
            #expect(mismatches.isEmpty, "\(tensor.name) (\(info.type)): \(mismatches.prefix(4))")
        }
    }

    /// Oracle: the whole-tensor dequantization (itself checked against gguf-py): row slices are its sub-ranges.
    @Test func rowRangesAreSlicesOfTheWholeTensor() throws {
        let file = try GGUFFixture.open("all_types.gguf")
        for name in ["t.q4_k", "t.q6_k", "t.q8_0", "t.q4_1", "t.f16", "t.vector"] {
            let info = try file.tensor(name)
            let all = try file.floats(name)
            for row in 0..<info.rowCount {
                let slice = try file.floats(name, rows: row..<(row + 1))
                #expect(slice == Array(all[(row * info.rowLength)..<((row + 1) * info.rowLength)]), "\(name)[\(row)]")
            }
            #expect(throws: GGUFError.rowsOutOfRange(file: file.path, tensor: name, rows: 0..<(info.rowCount + 1),
                                                     rowCount: info.rowCount)) {
                try file.floats(name, rows: 0..<(info.rowCount + 1))
            }
        }
        #expect(throws: GGUFError.tensorNotFound(file: file.path, tensor: "missing")) { try file.floats("missing") }
    }

    /// Oracle: GGUF block geometry (gguf-py GGML_QUANT_SIZES) and the row arithmetic of a [3, 64] Q8_0 tensor.
    @Test func blockGeometryAndRowHelpers() throws {
        #expect((GGUFTensorType.q8_0.blockSize, GGUFTensorType.q8_0.bytesPerBlock) == (32, 34))
        #expect((GGUFTensorType.q4_0.blockSize, GGUFTensorType.q4_0.bytesPerBlock) == (32, 18))
        #expect((GGUFTensorType.q4_1.blockSize, GGUFTensorType.q4_1.bytesPerBlock) == (32, 20))
        #expect((GGUFTensorType.q4_K.blockSize, GGUFTensorType.q4_K.bytesPerBlock) == (256, 144))
        #expect((GGUFTensorType.q6_K.blockSize, GGUFTensorType.q6_K.bytesPerBlock) == (256, 210))
        #expect((GGUFTensorType.bf16.blockSize, GGUFTensorType.bf16.bytesPerBlock) == (1, 2))
        #expect(GGUFTensorType.q4_K.byteCount(elementCount: 512) == 288)
        #expect(GGUFTensorType.q4_K.byteCount(elementCount: 100) == nil)
        let info = try GGUFFixture.open("all_types.gguf").tensor("t.q8_0")
        #expect(info.shape == [3, 64])
        #expect((info.rowCount, info.rowLength, info.blocksPerRow, info.rowByteCount) == (3, 64, 2, 68))
    }

    /// Oracle: GGUF v2 differs from v3 only in the version field (v3 added big-endian files), so a v2 copy of a
    /// v3 file parses to the same contents; v1 (32-bit counts) is rejected.
    @Test func acceptsVersion2AndRejectsVersion1() throws {
        var bytes = try GGUFFixture.bytes("all_types.gguf")
        let v3 = try GGUFFile(bytes: bytes)
        bytes[4] = 2
        let v2 = try GGUFFile(bytes: bytes)
        #expect(v2.version == 2)
        #expect(v2.metadata == v3.metadata)
        #expect(v2.tensors == v3.tensors)
        bytes[4] = 1
        #expect(throws: GGUFError.unsupportedVersion(file: "<memory>", version: 1)) { try GGUFFile(bytes: bytes) }
        bytes[4] = 4
        #expect(throws: GGUFError.unsupportedVersion(file: "<memory>", version: 4)) { try GGUFFile(bytes: bytes) }
    }

    /// Oracle: invariant — the memory-mapped file and an in-memory copy of the same bytes parse identically.
    @Test func mappedAndInMemoryFilesAgree() throws {
        let url = GGUFFixture.url("llama_tiny.gguf")
        let mapped = try GGUFFile(url: url)
        let memory = try GGUFFile(bytes: GGUFFixture.bytes("llama_tiny.gguf"), name: url.path)
        #expect(mapped.metadata == memory.metadata)
        #expect(mapped.tensors == memory.tensors)
        #expect(mapped.byteCount == memory.byteCount)
        #expect(mapped.path == url.path)
        #expect(try mapped.floats("blk.0.attn_q.weight") == memory.floats("blk.0.attn_q.weight"))
    }
}
