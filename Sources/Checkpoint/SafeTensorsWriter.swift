// A minimal safetensors writer: tensors in insertion order, header padded with spaces so the data
// starts 8-byte aligned, as the reference writer does. Used by tests across modules to build tiny
// checkpoints and adapters without Python.

import Foundation

/// Builds a safetensors file in memory.
///
/// ```swift
/// var writer = SafeTensorsWriter()
/// writer.add("w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6], dtype: .bf16)
/// try writer.write(to: url)
/// ```
public struct SafeTensorsWriter: Sendable {
    private struct Entry: Sendable {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        let bytes: [UInt8]
    }

    private var entries: [Entry] = []
    /// Written as `__metadata__` when non-empty.
    public var metadata: [String: String] = [:]

    public init() {}

    /// Adds `floats` (`[shape.product]`, row-major) stored as `dtype` (F32, F16 or BF16; F16 and
    /// BF16 round to nearest even).
    public mutating func add(_ name: String, shape: [Int], floats: [Float], dtype: SafeTensorsDType = .f32) {
        precondition(floats.count == shape.reduce(1, *), "\(name): \(floats.count) values for shape \(shape)")
        var bytes: [UInt8] = []
        switch dtype {
        case .f32:
            bytes.reserveCapacity(4 * floats.count)
            for value in floats { Self.append(value.bitPattern, to: &bytes) }
        case .f16:
            bytes.reserveCapacity(2 * floats.count)
            for value in floats { Self.append(HalfPrecision.f16FromFloat(value), to: &bytes) }
        case .bf16:
            bytes.reserveCapacity(2 * floats.count)
            for value in floats { Self.append(HalfPrecision.bf16FromFloat(value), to: &bytes) }
        default:
            preconditionFailure("SafeTensorsWriter.add(floats:) supports F32, F16 and BF16, not \(dtype.rawValue)")
        }
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    /// Adds a tensor from raw little-endian bytes (any dtype; the caller sizes `bytes` correctly).
    public mutating func add(_ name: String, dtype: SafeTensorsDType, shape: [Int], rawBytes: [UInt8]) {
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: rawBytes))
    }

    // MARK: - Output

    /// The JSON header text (unpadded) describing the entries in insertion order.
    public func headerJSON() -> String {
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(Self.quoted($0)):\(Self.quoted(metadata[$0] ?? ""))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(Self.quoted(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}")
            offset += entry.bytes.count
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// The complete file: header length, space-padded header, data.
    public func serialized() -> [UInt8] {
        var header = Array(headerJSON().utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var bytes: [UInt8] = []
        Self.append(UInt64(header.count), to: &bytes)
        bytes += header
        for entry in entries { bytes += entry.bytes }
        return bytes
    }

    public func write(to url: URL) throws {
        try Data(serialized()).write(to: url)
    }

    // MARK: - Encoding helpers

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case let control where control.value < 0x20:
                result +=
                    "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count)
                    + String(control.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
