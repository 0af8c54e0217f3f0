// ByteLevelAlphabet.swift
// GPT-2's `bytes_to_unicode` table: every byte maps to a printable Unicode scalar (space -> U+0120 "Ġ",
// newline -> U+010A "Ċ"), so byte-level vocabularies can be stored as text.

/// The byte <-> scalar tables of byte-level BPE.
enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the scalar that stands for byte `b`.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The inverse of `scalarForByte`.
    static let byteForScalar: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { table[scalar.value] = UInt8(byte) }
        return table
    }()

    /// Maps the UTF-8 bytes of `text` to alphabet scalars.
    static func encode(_ text: Substring) -> String {
        var result = String.UnicodeScalarView()
        for byte in text.utf8 { result.append(scalarForByte[Int(byte)]) }
        return String(result)
    }

    /// The bytes a byte-level token stands for, or nil if some scalar is outside the alphabet.
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byteForScalar[scalar.value] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
