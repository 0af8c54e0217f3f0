// Round-trip tests of SafeTensorsFile against SafeTensorsWriter: F32/F16/BF16 data, metadata,
// scalar and empty tensors, unpadded headers, non-float dtypes.

import Checkpoint
import Foundation
import Testing

@Suite struct SafeTensorsFileTests {
    /// Oracle: the values written (all exactly representable in every dtype used).
    @Test(arguments: [SafeTensorsDType.f32, .f16, .bf16])
    func roundTripExactValues(dtype: SafeTensorsDType) throws {
        let directory = try TemporaryDirectory()
        let values: [Float] = [0, 1, -2, 0.5, 3.25, -0.125, 1024, 96]  // [2, 4]
        var writer = SafeTensorsWriter()
        writer.add("a.weight", shape: [2, 4], floats: values, dtype: dtype)
        writer.add("b", shape: [3], floats: [7, 8, 9], dtype: dtype)
        let path = try directory.write(writer.serialized(), to: "x.safetensors")

        let file = try SafeTensorsFile(path: path)
        #expect(file.tensorNames == ["a.weight", "b"])
        #expect(file.info("a.weight")?.dtype == dtype)
        #expect(file.info("a.weight")?.shape == [2, 4])
        #expect(try file.floats("a.weight", shape: [2, 4]) == values)
        #expect(try file.floats("b", shape: [3]) == [7, 8, 9])
        #expect(file.contains("b") && !file.contains("c"))
    }

    /// Oracle: HalfPrecision's encode/decode (tested separately against Float16): inexact values
    /// come back rounded exactly as the writer rounded them.
    @Test(arguments: [SafeTensorsDType.f16, .bf16])
    func roundTripRoundedValues(dtype: SafeTensorsDType) throws {
        let directory = try TemporaryDirectory()
        let values: [Float] = (0..<37).map { Float($0) * 0.1237 - 2.3 }  // [37]
        var writer = SafeTensorsWriter()
        writer.add("t", shape: [37], floats: values, dtype: dtype)
        let file = try SafeTensorsFile(path: directory.write(writer.serialized(), to: "x.safetensors"))
        let expected = values.map { value in
            dtype == .f16
                ? HalfPrecision.floatFromF16(HalfPrecision.f16FromFloat(value))
                : HalfPrecision.floatFromBF16(HalfPrecision.bf16FromFloat(value))
        }
        #expect(try file.floats("t", shape: [37]) == expected)
        #expect(try file.floats("t", shape: [37]) != values)
    }

    /// Oracle: the safetensors spec — 0-rank and zero-sized tensors are allowed; `__metadata__` is
    /// a string map and is not a tensor.
    @Test func scalarEmptyAndMetadata() throws {
        let directory = try TemporaryDirectory()
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt"]
        writer.add("empty", shape: [0, 5], floats: [])
        writer.add("scalar", shape: [], floats: [42])
        let file = try SafeTensorsFile(path: directory.write(writer.serialized(), to: "x.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames == ["empty", "scalar"])
        #expect(try file.floats("scalar", shape: []) == [42])
        #expect(try file.floats("empty", shape: [0, 5]) == [])
    }

    /// Oracle: the spec only *recommends* 8-byte alignment; an unpadded header (data at an odd
    /// offset) must still read correctly.
    @Test func unpaddedHeaderReadsUnalignedData() throws {
        let directory = try TemporaryDirectory()
        let header = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#  // 55 bytes: odd
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8)
        for value in [Float(1.5), -7] { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        let file = try SafeTensorsFile(path: directory.write(bytes, to: "x.safetensors"))
        #expect(try file.floats("t", shape: [2]) == [1.5, -7])
    }

    /// Oracle: the spec lists integer dtypes; a file holding them opens, and asking for floats
    /// gives `unsupportedDType` naming the tensor.
    @Test func nonFloatDTypeOpensButIsNotReadableAsFloats() throws {
        let directory = try TemporaryDirectory()
        var writer = SafeTensorsWriter()
        writer.add("ids", dtype: .i32, shape: [2], rawBytes: [1, 0, 0, 0, 2, 0, 0, 0])
        writer.add("w", shape: [1], floats: [3])
        let path = try directory.write(writer.serialized(), to: "x.safetensors")
        let file = try SafeTensorsFile(path: path)
        #expect(try file.floats("w", shape: [1]) == [3])
        let error = #expect(throws: CheckpointError.self) { try file.floats("ids", shape: [2]) }
        #expect(error == .unsupportedDType(file: path, tensor: "ids", dtype: "I32"))
    }

    /// Oracle: the caller's contract — a shape other than the stored one, or an absent name, is an
    /// error naming the file and tensor (with expected vs found shapes).
    @Test func wrongShapeAndMissingTensor() throws {
        let directory = try TemporaryDirectory()
        var writer = SafeTensorsWriter()
        writer.add("w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let path = try directory.write(writer.serialized(), to: "x.safetensors")
        let file = try SafeTensorsFile(path: path)
        #expect(throws: CheckpointError.wrongShape(file: path, tensor: "w", expected: [3, 2], found: [2, 3])) {
            try file.floats("w", shape: [3, 2])
        }
        #expect(throws: CheckpointError.missingTensor(file: path, tensor: "v")) { try file.floats("v", shape: [1]) }
    }

    /// Oracle: the file's own bytes — `withUnsafeFileBytes` exposes exactly what was written.
    @Test func fileBytesAreTheWholeFile() throws {
        let directory = try TemporaryDirectory()
        var writer = SafeTensorsWriter()
        writer.add("w", shape: [1], floats: [1])
        let bytes = writer.serialized()
        let file = try SafeTensorsFile(path: directory.write(bytes, to: "x.safetensors"))
        #expect(file.fileByteCount == bytes.count)
        #expect(file.withUnsafeFileBytes { Array($0) } == bytes)
    }
}
