// Malformed GGUF files, hand-assembled with GGUFBytesBuilder: each must throw the GGUFError case that names the
// fault (and the key or tensor), never trap. Also covers values gguf-py cannot write (empty arrays).

import Foundation
import GGUF
import Testing

@Suite struct GGUFMalformedFileTests {
    let file = "built.gguf"

    /// Oracle: the GGUF spec (ggml docs/gguf.md): magic must be "GGUF".
    @Test func rejectsBadMagic() {
        let built = GGUFBytesBuilder(magic: Array("GGUG".utf8))
        #expect(throws: GGUFError.badMagic(file: file, found: 0x4755_4747)) { try built.open() }
    }

    /// Oracle: invariant — an empty file, a file cut inside the header, a missing path and a directory all throw.
    @Test func rejectsEmptyTruncatedAndUnopenableFiles() throws {
        #expect(throws: GGUFError.truncated(file: "e", field: "header (magic)", offset: 0, needed: 4)) {
            try GGUFFile(bytes: [], name: "e")
        }
        let header = GGUFBytesBuilder(tensorCount: 0, kvCount: 0).bytes
        #expect(throws: GGUFError.truncated(file: "h", field: "header (metadata count)", offset: 16, needed: 8)) {
            try GGUFFile(bytes: Array(header.prefix(20)), name: "h")
        }
        let missing = GGUFFixture.url("does-not-exist.gguf")
        #expect(throws: GGUFError.cannotOpen(file: missing.path, reason: "No such file or directory")) {
            try GGUFFile(url: missing)
        }
        #expect(throws: GGUFError.cannotOpen(file: GGUFFixture.directory.path, reason: "not a regular file")) {
            try GGUFFile(url: GGUFFixture.directory)
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-empty-\(UUID()).gguf")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: GGUFError.truncated(file: empty.path, field: "header (magic)", offset: 0, needed: 4)) {
            try GGUFFile(url: empty)
        }
    }

    /// Oracle: GGUF spec value layout; a string length past the end, an unknown type code, a bool byte of 2 and an
    /// array count larger than the file are each reported with the key at fault.
    @Test func rejectsBadMetadataValues() {
        var longString = GGUFBytesBuilder(kvCount: 1)
        longString.key("k", type: .string)
        longString.u64(1_000)
        longString.zeros(4)
        #expect(throws: GGUFError.stringPastEnd(file: file, field: "metadata 'k'", offset: 37, length: 1_000)) {
            try longString.open()
        }

        var longKey = GGUFBytesBuilder(kvCount: 1)
        longKey.u64(UInt64.max)
        longKey.zeros(16)
        #expect(throws: GGUFError.stringPastEnd(file: file, field: "metadata key #0", offset: 24, length: .max)) {
            try longKey.open()
        }

        var unknownType = GGUFBytesBuilder(kvCount: 1)
        unknownType.string("k")
        unknownType.u32(13)
        #expect(throws: GGUFError.unknownValueType(file: file, key: "k", rawType: 13)) { try unknownType.open() }

        var badBool = GGUFBytesBuilder(kvCount: 1)
        badBool.key("flag", type: .bool)
        badBool.u8(2)
        #expect(throws: GGUFError.invalidValue(file: file, key: "flag", reason: "bool byte 2 is neither 0 nor 1")) {
            try badBool.open()
        }

        var hugeArray = GGUFBytesBuilder(kvCount: 1)
        hugeArray.key("a", type: .array)
        hugeArray.u32(GGUFValueType.uint64.rawValue)
        hugeArray.u64(1 << 60)
        #expect(throws: GGUFError.countTooLarge(file: file, field: "metadata 'a' (array count)", count: 1 << 60)) {
            try hugeArray.open()
        }

        let hugeKVCount = GGUFBytesBuilder(kvCount: .max)
        #expect(throws: GGUFError.countTooLarge(file: file, field: "header (metadata count)", count: .max)) {
            try hugeKVCount.open()
        }
    }

    /// Oracle: invariant — arrays nested beyond the reader's limit throw instead of recursing without bound.
    @Test func rejectsDeeplyNestedArrays() {
        var built = GGUFBytesBuilder(kvCount: 1)
        built.key("deep", type: .array)
        for _ in 0..<20 {
            built.u32(GGUFValueType.array.rawValue)
            built.u64(1)
        }
        built.zeros(64)
        #expect(throws: GGUFError.invalidValue(file: file, key: "deep", reason: "arrays nested deeper than 8")) {
            try built.open()
        }
    }

    /// Oracle: GGUF spec — empty arrays keep their element type; a duplicate key is an error (as in ggml gguf.cpp).
    @Test func readsEmptyArraysAndRejectsDuplicateKeys() throws {
        var built = GGUFBytesBuilder(kvCount: 2)
        built.key("empty.f32", type: .array)
        built.u32(GGUFValueType.float32.rawValue)
        built.u64(0)
        built.key("empty.nested", type: .array)
        built.u32(GGUFValueType.array.rawValue)
        built.u64(0)
        let parsed = try built.open()
        #expect(parsed.metadata["empty.f32"] == .array(.float32, []))
        #expect(parsed.floatArray("empty.f32") == [])
        #expect(parsed.metadata["empty.nested"] == .array(.array, []))
        #expect(parsed.tensors.isEmpty)

        var duplicate = GGUFBytesBuilder(kvCount: 2)
        duplicate.keyU32("k", 1)
        duplicate.keyU32("k", 2)
        #expect(throws: GGUFError.duplicateKey(file: file, key: "k")) { try duplicate.open() }
    }

    /// Oracle: GGUF spec — general.alignment must be a power of two; a custom alignment moves the data section.
    @Test func validatesAlignment() throws {
        var bad = GGUFBytesBuilder(kvCount: 1)
        bad.keyU32("general.alignment", 48)
        #expect(throws: GGUFError.invalidAlignment(file: file, value: "uint32(48)")) { try bad.open() }

        var good = GGUFBytesBuilder(tensorCount: 1, kvCount: 1)
        good.keyU32("general.alignment", 256)
        good.tensorInfo("t", ne: [4], type: GGUFTensorType.f32.rawValue, offset: 0)
        good.pad(to: 256)
        for v in [1, 2, 3, 4] as [Float] { good.f32(v) }
        let parsed = try good.open()
        #expect(parsed.alignment == 256)
        #expect(parsed.dataOffset == 256)
        #expect(try parsed.floats("t") == [1, 2, 3, 4])
    }

    /// Oracle: GGUF spec tensor-info rules: known type, at most 4 dims, ne[0] a multiple of the block size,
    /// offsets aligned and inside the data section, unique names. Each error names the tensor.
    @Test func rejectsBadTensorInfos() {
        func build(_ infos: [(String, [UInt64], UInt32, UInt64)], dataBytes: Int = 64) -> GGUFBytesBuilder {
            var b = GGUFBytesBuilder(tensorCount: UInt64(infos.count))
            for (name, ne, type, offset) in infos { b.tensorInfo(name, ne: ne, type: type, offset: offset) }
            b.pad()
            b.zeros(dataBytes)
            return b
        }
        let f32 = GGUFTensorType.f32.rawValue
        #expect(throws: GGUFError.unknownTensorType(file: file, tensor: "x", rawType: 4)) {
            try build([("x", [4], 4, 0)]).open()
        }
        #expect(throws: GGUFError.invalidDimensions(file: file, tensor: "x", dimensions: [],
                                                    reason: "5 dimensions (at most 4)")) {
            var b = GGUFBytesBuilder(tensorCount: 1)
            b.string("x")
            b.u32(5)
            b.zeros(64)
            _ = try b.open()
        }
        #expect(throws: GGUFError.invalidDimensions(file: file, tensor: "q", dimensions: [33, 1],
                                                    reason: "ne[0] = 33 is not a multiple of the Q8_0 block size 32")) {
            try build([("q", [33, 1], GGUFTensorType.q8_0.rawValue, 0)]).open()
        }
        #expect(throws: GGUFError.invalidDimensions(file: file, tensor: "big", dimensions: [1 << 40, 1 << 40],
                                                    reason: "element count overflows")) {
            try build([("big", [1 << 40, 1 << 40], f32, 0)]).open()
        }
        #expect(throws: GGUFError.misaligned(file: file, tensor: "x", offset: 16, alignment: 32)) {
            try build([("x", [4], f32, 16)]).open()
        }
        #expect(throws: GGUFError.tensorDataPastEnd(file: file, tensor: "x", offset: 32, byteCount: 64,
                                                    dataSectionByteCount: 64)) {
            try build([("x", [16], f32, 32)]).open()
        }
        #expect(throws: GGUFError.tensorDataPastEnd(file: file, tensor: "x", offset: 1 << 63, byteCount: 16,
                                                    dataSectionByteCount: 64)) {
            try build([("x", [4], f32, 1 << 63)]).open()
        }
        #expect(throws: GGUFError.duplicateTensor(file: file, tensor: "x")) {
            try build([("x", [4], f32, 0), ("x", [4], f32, 32)]).open()
        }
    }

    /// Oracle: invariant — a type this reader cannot dequantize (Q5_K) still opens and exposes its raw bytes;
    /// only `floats` refuses it.
    @Test func unsupportedTypesKeepRawAccess() throws {
        var b = GGUFBytesBuilder(tensorCount: 1)
        b.tensorInfo("k5", ne: [256, 2], type: GGUFTensorType.q5_K.rawValue, offset: 0)
        b.pad()
        b.zeros(2 * GGUFTensorType.q5_K.bytesPerBlock)
        let parsed = try b.open()
        #expect(try parsed.rawData("k5").count == 2 * 176)
        #expect(throws: GGUFError.unsupportedTensorType(file: file, tensor: "k5", type: "Q5_K")) {
            try parsed.floats("k5")
        }
    }

    /// Oracle: every error renders a message naming the file.
    @Test func errorDescriptionsNameTheFile() {
        let errors: [GGUFError] = [
            .badMagic(file: "m.gguf", found: 1), .unsupportedVersion(file: "m.gguf", version: 1),
            .misaligned(file: "m.gguf", tensor: "t", offset: 3, alignment: 32),
            .tensorDataPastEnd(file: "m.gguf", tensor: "t", offset: 0, byteCount: 9, dataSectionByteCount: 1),
        ]
        for error in errors { #expect(error.description.hasPrefix("m.gguf: ")) }
    }
}
