// Parsing JSON text into a `TemplateValue` while keeping object key order, as Python's `json.loads`
// does. Callers use it for request bodies (OpenAI `tools`, `tool_calls`) whose key order shows up in
// templates' `tojson` output; Foundation's decoders do not promise to keep that order.

// MARK: - JSON parsing

extension TemplateValue {
    /// Parses `json` (RFC 8259). Integers that fit in `Int` become `.int`, other numbers `.double`;
    /// a key repeated in one object keeps its first position and last value, as in Python.
    public init(json: String) throws(TemplateError) {
        var reader = JSONReader(bytes: Array(json.utf8))
        reader.skipWhitespace()
        self = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.offset == reader.bytes.count else { throw reader.failure("extra data after the value") }
    }
}

private struct JSONReader {
    let bytes: [UInt8]
    var offset = 0
    static let maximumDepth = 512

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func failure(_ message: String) -> TemplateError {
        .invalidJSON(message: message, offset: offset)
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    mutating func readValue(depth: Int) throws(TemplateError) -> TemplateValue {
        guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth)") }
        guard offset < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try readObject(depth: depth)
        case UInt8(ascii: "["): return try readArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .none)
        default: return try readNumber()
        }
    }

    private mutating func readLiteral(_ word: String, _ value: TemplateValue) throws(TemplateError) -> TemplateValue {
        let literal = Array(word.utf8)
        guard offset + literal.count <= bytes.count, Array(bytes[offset..<offset + literal.count]) == literal else {
            throw failure("expected '\(word)'")
        }
        offset += literal.count
        return value
    }

    private mutating func readObject(depth: Int) throws(TemplateError) -> TemplateValue {
        offset += 1
        var dict = TemplateDictionary()
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .dict(dict)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try readString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            offset += 1
            skipWhitespace()
            dict[key] = try readValue(depth: depth + 1)
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unexpected end of input in an object") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .dict(dict)
            } else {
                throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func readArray(depth: Int) throws(TemplateError) -> TemplateValue {
        offset += 1
        var items: [TemplateValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .list(items)
        }
        while true {
            skipWhitespace()
            items.append(try readValue(depth: depth + 1))
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unexpected end of input in an array") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .list(items)
            } else {
                throw failure("expected ',' or ']'")
            }
        }
    }

    private mutating func readNumber() throws(TemplateError) -> TemplateValue {
        let start = offset
        var isInteger = true
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                offset += 1
            } else if [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-")]
                .contains(byte)
            {
                isInteger = false
                offset += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { throw failure("unexpected character") }
        if isInteger, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { throw failure("invalid number '\(text)'") }
        return .double(double)
    }

    private mutating func readString() throws(TemplateError) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var runStart = offset
        func flush(_ end: Int) {
            scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                flush(offset)
                offset += 1
                return String(scalars)
            }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                flush(offset)
                scalars.append(try readEscape())
                runStart = offset
                continue
            }
            offset += 1
        }
        throw failure("unterminated string")
    }

    private mutating func readEscape() throws(TemplateError) -> Unicode.Scalar {
        guard offset + 1 < bytes.count else { throw failure("unterminated escape") }
        let marker = bytes[offset + 1]
        offset += 2
        switch marker {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try readHex4()
            if (0xD800..<0xDC00).contains(high), offset + 1 < bytes.count,
                bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
            {
                let saved = offset
                offset += 2
                let low = try readHex4()
                if (0xDC00..<0xE000).contains(low) {
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                }
                offset = saved
            }
            // A lone surrogate cannot live in a Swift string; use U+FFFD as a decoder would.
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        default:
            throw failure("invalid escape")
        }
    }

    private mutating func readHex4() throws(TemplateError) -> UInt32 {
        guard offset + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
        else { throw failure("invalid \\u escape") }
        offset += 4
        return value
    }
}
