// Malformed safetensors files: each must be rejected at open with the right CheckpointError case
// (never a crash), and the tolerated variations of the spec must be accepted.

import Checkpoint
import Foundation
import Testing

@Suite struct SafeTensorsValidationTests {
    /// A file of `header` (its length prefix is `declaredLength` or the true length) then `data`.
    private static func file(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: length.littleEndian) { Array($0) } + headerBytes + data
    }

    private static func entry(_ name: String, _ dtype: String = "F32", _ shape: [Int], _ begin: Int, _ end: Int)
        -> String
    {
        #""\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":[\#(begin),\#(end)]}"#
    }

    /// Opens `bytes` as a file and returns the error (nil if it opened).
    private static func openError(_ bytes: [UInt8]) throws -> CheckpointError? {
        let directory = try TemporaryDirectory()
        let path = try directory.write(bytes, to: "bad.safetensors")
        do {
            _ = try SafeTensorsFile(path: path)
            return nil
        } catch {
            #expect(error.file == path, "every error names the file")
            #expect(!error.description.isEmpty)
            return error
        }
    }

    // MARK: - Rejected

    /// Oracle: the safetensors format (tensor.rs `read_metadata` / `validate`): each malformed file
    /// gives the error case listed beside it, and never traps.
    @Test func malformedFilesAreRejected() throws {
        let e = Self.entry
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [(String, [UInt8], CheckpointErrorKind)] = [
            ("empty file", [], .truncatedFile),
            ("shorter than the length prefix", [1, 2, 3], .truncatedFile),
            ("header length past end", Self.file("{}", declaredLength: 1_000), .headerLengthPastEnd),
            ("header length huge", Self.file("{}", declaredLength: UInt64.max), .headerLengthPastEnd),
            ("header not starting with {", Self.file(" {}"), .invalidHeader),
            ("header is an array", Self.file("[]"), .invalidHeader),
            ("empty header", Self.file(""), .invalidHeader),
            ("cut-off JSON", Self.file(#"{"a":{"dtype":"F32""#), .badJSON),
            ("trailing garbage after JSON", Self.file("{}x"), .badJSON),
            ("NUL padding", Self.file("{}\u{0}\u{0}"), .badJSON),
            ("invalid UTF-8", [4, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x22, 0xFF, 0x22], .badJSON),
            ("deep nesting", Self.file("{\"a\":" + String(repeating: "[", count: 5_000)), .badJSON),
            ("unknown dtype", Self.file("{" + e("t", "F17", [2], 0, 8) + "}", data: eight), .unsupportedDType),
            ("entry not an object", Self.file(#"{"t":3}"#), .invalidHeader),
            ("missing shape", Self.file(#"{"t":{"dtype":"F32","data_offsets":[0,0]}}"#), .invalidHeader),
            ("negative dimension", Self.file("{" + e("t", "F32", [-1], 0, 0) + "}"), .invalidHeader),
            (
                "fractional dimension", Self.file(#"{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#),
                .invalidHeader
            ),
            (
                "offsets not a pair", Self.file(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#),
                .badDataOffsets
            ),
            (
                "offsets as strings", Self.file(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}"#),
                .badDataOffsets
            ),
            ("begin after end", Self.file("{" + e("t", "F32", [0], 8, 4) + "}", data: eight), .badDataOffsets),
            (
                "size does not match shape×dtype", Self.file("{" + e("t", "F32", [3], 0, 8) + "}", data: eight),
                .badDataOffsets
            ),
            (
                "overflowing shape", Self.file("{" + e("t", "F32", [1 << 40, 1 << 40], 0, 8) + "}", data: eight),
                .badDataOffsets
            ),
            ("sub-byte total size", Self.file("{" + e("t", "F4", [3], 0, 1) + "}", data: [0]), .badDataOffsets),
            (
                "overlapping tensors",
                Self.file("{" + e("a", "F32", [2], 0, 8) + "," + e("b", "F32", [1], 4, 8) + "}", data: eight),
                .badDataOffsets
            ),
            (
                "hole between tensors",
                Self.file(
                    "{" + e("a", "F32", [1], 0, 4) + "," + e("b", "F32", [1], 8, 12) + "}", data: eight + [0, 0, 0, 0]),
                .badDataOffsets
            ),
            ("hole at the start", Self.file("{" + e("a", "F32", [1], 4, 8) + "}", data: eight), .badDataOffsets),
            (
                "bytes after the last tensor", Self.file("{" + e("a", "F32", [1], 0, 4) + "}", data: eight),
                .invalidHeader
            ),
            ("data cut off", Self.file("{" + e("a", "F32", [4], 0, 16) + "}", data: eight), .truncatedFile),
            (
                "duplicate tensor name",
                Self.file("{" + e("a", "F32", [1], 0, 4) + "," + e("a", "F32", [1], 4, 8) + "}", data: eight),
                .duplicateTensor
            ),
            ("metadata not a string map", Self.file(#"{"__metadata__":{"format":1}}"#), .invalidHeader),
            ("metadata not an object", Self.file(#"{"__metadata__":"pt"}"#), .invalidHeader),
        ]
        for (name, bytes, expected) in cases {
            let error = try Self.openError(bytes)
            #expect(error?.kind == expected, "\(name): got \(String(describing: error))")
        }
    }

    /// Oracle: the error names the offending tensor (here the second of two).
    @Test func offsetErrorsNameTheTensor() throws {
        let e = Self.entry
        let bytes = Self.file(
            "{" + e("a", "F32", [1], 0, 4) + "," + e("b", "F16", [3], 4, 8) + "}", data: [UInt8](repeating: 0, count: 8)
        )
        guard case .badDataOffsets(_, let tensor, let reason)? = try Self.openError(bytes) else {
            Issue.record("expected badDataOffsets")
            return
        }
        #expect(tensor == "b")
        #expect(reason.contains("needs 6"))
    }

    /// Oracle: file-system errors — a missing path and a directory are unreadable, not crashes.
    @Test func unreadablePaths() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("nope.safetensors").path
        #expect(throws: CheckpointError.self) { try SafeTensorsFile(path: missing) }
        let error = #expect(throws: CheckpointError.self) { try SafeTensorsFile(path: directory.url.path) }
        #expect(error?.kind == .unreadableFile)
    }

    /// Oracle: invariant — any corruption of a valid file either opens (and every tensor then reads
    /// or throws) or throws `CheckpointError`; nothing traps. 400 deterministic random mutations.
    @Test func randomCorruptionNeverCrashes() throws {
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt"]
        writer.add("a.weight", shape: [3, 4], floats: (0..<12).map(Float.init), dtype: .bf16)
        writer.add("b", shape: [2], floats: [1, 2], dtype: .f16)
        writer.add("c", shape: [1, 1], floats: [3])
        let original = writer.serialized()
        let directory = try TemporaryDirectory()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {  // xorshift64*
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % bound
        }
        var opened = 0
        for iteration in 0..<400 {
            var bytes = original
            for _ in 0..<(1 + next(3)) {
                switch next(4) {
                case 0: bytes[next(bytes.count)] = UInt8(next(256))
                case 1: bytes[next(min(bytes.count, 120))] = [UInt8](#"{}[],:"0123456789-.eE "#.utf8)[next(19)]
                case 2: bytes.removeLast(min(bytes.count - 1, next(8)))
                default: bytes.insert(UInt8(next(256)), at: next(bytes.count))
                }
            }
            let path = try directory.write(bytes, to: "fuzz\(iteration).safetensors")
            guard let file = try? SafeTensorsFile(path: path) else { continue }
            opened += 1
            for name in file.tensorNames { _ = try? file.floats(name) }
        }
        #expect(opened < 400)
    }

    // MARK: - Tolerated

    /// Oracle: the spec allows a header right-padded with spaces, zero-sized tensors sharing an
    /// offset, an empty file body, and entries listed out of offset order.
    @Test func toleratedVariations() throws {
        let e = Self.entry
        let accepted: [(String, [UInt8])] = [
            ("no tensors", Self.file("{}")),
            ("space padding", Self.file("{}      ")),
            (
                "zero-sized tensors at one offset",
                Self.file(
                    "{" + e("a", "F32", [0], 0, 0) + "," + e("b", "BF16", [2, 0], 0, 0) + "," + e("c", "F32", [1], 0, 4)
                        + "}",
                    data: [0, 0, 128, 63])
            ),
            (
                "out-of-order entries",
                Self.file(
                    "{" + e("b", "F32", [1], 4, 8) + "," + e("a", "F32", [1], 0, 4) + "}",
                    data: [UInt8](repeating: 0, count: 8))
            ),
            (
                "unknown entry field",
                Self.file(#"{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":true}}"#, data: [9])
            ),
            ("null metadata", Self.file(#"{"__metadata__":null}"#)),
        ]
        for (name, bytes) in accepted {
            let error = try Self.openError(bytes)
            #expect(error == nil, "\(name): \(String(describing: error))")
        }
    }
}
