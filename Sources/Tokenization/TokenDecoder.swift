// TokenDecoder.swift
// HF `tokenizers` decoders: turn the token strings of an id sequence back into text. Each decoder maps a list
// of strings to a list of strings (`decode_chain`); the results are joined. Supported: Sequence, ByteLevel,
// Replace, ByteFallback, Fuse, Strip, Metaspace.

/// A decoder component of tokenizer.json.
indirect enum TokenDecoder: Sendable {
    case sequence([TokenDecoder])
    /// Byte-level alphabet back to bytes, then UTF-8 with U+FFFD for invalid sequences.
    case byteLevel
    case replace(pattern: SplitPattern, content: String)
    /// Runs of `<0xNN>` tokens become their UTF-8 text, or one U+FFFD per byte when invalid.
    case byteFallback
    /// Joins everything into one string.
    case fuse
    /// Removes up to `start` leading and `stop` trailing `content` scalars from each string.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `▁` back to spaces; on the first token HF drops the replacement instead (when a scheme prepends one).
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme)

    // MARK: - Decoding

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let decoders):
            return decoders.reduce(tokens) { $1.decodeChain($0) }
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let tokenBytes = ByteLevelAlphabet.bytes(of: token) {
                    bytes.append(contentsOf: tokenBytes)
                } else {
                    bytes.append(contentsOf: token.utf8)
                }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .replace(let pattern, let content):
            return tokens.map { Normalizer.replace(pattern, with: content, in: $0) }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var scalars = Substring(token).unicodeScalars[...]
                var removed = 0
                while removed < start, scalars.first == content {
                    scalars.removeFirst()
                    removed += 1
                }
                removed = 0
                while removed < stop, scalars.last == content {
                    scalars.removeLast()
                    removed += 1
                }
                return String(String.UnicodeScalarView(scalars))
            }
        case .metaspace(let replacement, let prependScheme):
            return tokens.enumerated().map { index, token in
                var scalars = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        if index == 0 && prependScheme != .never { continue }
                        scalars.append(" ")
                    } else {
                        scalars.append(scalar)
                    }
                }
                return String(scalars)
            }
        }
    }

    /// The byte of a `<0xNN>` token.
    static func fallbackByte(_ token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"),
            utf8[2] == UInt8(ascii: "x"), utf8[5] == UInt8(ascii: ">")
        else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    private static func byteFallback(_ tokens: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                result.append(text)
            } else {
                result.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = fallbackByte(token) {
                pending.append(byte)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }
}
