// Locating the golden fixtures of Tests/Fixtures/gguf/ (written by scripts/make_gguf_golden.py with gguf-py) and
// decoding their JSON descriptions, which are gguf-py's own reading of the same files.

import Foundation
import GGUF

/// Paths and decoded expectations for the GGUF golden fixtures.
enum GGUFFixture {
    /// `<repo>/Tests/Fixtures/gguf`, found by walking up from this source file.
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("Fixtures/gguf")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            url = url.deletingLastPathComponent()
        }
        fatalError("Tests/Fixtures/gguf not found above \(#filePath)")
    }()

    /// `<repo>/models/SmolLM2-135M-Instruct.Q4_1.gguf` (fetched by scripts/fetch-demo-model; not committed).
    static let demoModel: URL = directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")

    static var demoModelIsPresent: Bool { FileManager.default.fileExists(atPath: demoModel.path) }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(name))) }

    static func open(_ name: String) throws -> GGUFFile { try GGUFFile(url: url(name)) }

    static func expected(_ jsonName: String) throws -> ExpectedFile {
        try JSONDecoder().decode(ExpectedFile.self, from: Data(contentsOf: url(jsonName)))
    }

    // MARK: - JSON model (see make_gguf_golden.py)

    struct ExpectedFile: Decodable {
        var file: String
        var version: Int
        var alignment: Int
        var dataOffset: Int
        var metadata: [String: ExpectedValue]
        var tensors: [ExpectedTensor]
        /// llama_tiny only: HF-order q/k weights before llama.cpp's permutation.
        var hfOrder: [String: [Double]]?
    }

    struct ExpectedTensor: Decodable {
        var name: String
        var type: String
        /// GGUF order, ne[0] first.
        var ne: [Int]
        /// Absolute file offset.
        var offset: Int
        var byteCount: Int
        /// gguf.quants.dequantize of the tensor, flattened.
        var values: [Double]?
    }

    /// A metadata value as gguf-py read it: integers as decimal strings (64-bit exact), floats as doubles.
    struct ExpectedValue: Decodable, Equatable, CustomStringConvertible {
        var type: String
        var elementType: String?
        var int: String?
        var float: Double?
        var bool: Bool?
        var string: String?
        var array: [ExpectedValue]?

        init(
            type: String, elementType: String? = nil, int: String? = nil, float: Double? = nil, bool: Bool? = nil,
            string: String? = nil, array: [ExpectedValue]? = nil
        ) {
            (self.type, self.elementType, self.int, self.float) = (type, elementType, int, float)
            (self.bool, self.string, self.array) = (bool, string, array)
        }

        /// Our value in the same representation, for `==` against gguf-py's.
        init(_ value: GGUFValue) {
            let type = value.type.description
            switch value {
            case .uint8(let v): self.init(type: type, int: String(v))
            case .int8(let v): self.init(type: type, int: String(v))
            case .uint16(let v): self.init(type: type, int: String(v))
            case .int16(let v): self.init(type: type, int: String(v))
            case .uint32(let v): self.init(type: type, int: String(v))
            case .int32(let v): self.init(type: type, int: String(v))
            case .uint64(let v): self.init(type: type, int: String(v))
            case .int64(let v): self.init(type: type, int: String(v))
            case .float32(let v): self.init(type: type, float: Double(v))
            case .float64(let v): self.init(type: type, float: v)
            case .bool(let v): self.init(type: type, bool: v)
            case .string(let v): self.init(type: type, string: v)
            case .array(let elementType, let elements):
                self.init(type: type, elementType: elementType.description, array: elements.map(ExpectedValue.init))
            }
        }

        var description: String {
            if let array {
                return "\(type)[\(elementType ?? "?")](\(array.map(\.description).joined(separator: ", ")))"
            }
            let scalar = int ?? float.map { "\($0)" } ?? bool.map { "\($0)" } ?? string.map { "\"\($0)\"" }
            return "\(type)(\(scalar ?? "?"))"
        }
    }
}

extension Array where Element == Double {
    /// The JSON doubles as the float32 values gguf-py produced (exact: each double is a float32 value).
    var asFloats: [Float] { map { Float($0) } }
}
