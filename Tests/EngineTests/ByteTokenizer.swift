// A test tokenizer over the 256 fixture-model ids: id n is the byte n, ids 0...2 are special
// (<pad>, <s>, </s>). Decoding invalid UTF-8 gives U+FFFD, like a byte-level BPE tokenizer.

import Tokenization

/// Bytes as tokens.
struct ByteTokenizer: TextTokenizer {
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        (addSpecialTokens ? [1] : []) + text.utf8.map { Int($0) }
    }

    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        for id in ids where id >= 0 && id < 256 {
            if id <= 2 {
                if !skipSpecialTokens { bytes += Array(["<pad>", "<s>", "</s>"][id].utf8) }
            } else {
                bytes.append(UInt8(id))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    var bosTokenID: Int? { 1 }
    var eosTokenIDs: [Int] { [2] }
    var vocabularySize: Int { 256 }
    func tokenID(for token: String) -> Int? { token.utf8.count == 1 ? Int(token.utf8.first!) : nil }
    func token(for id: Int) -> String? { id <= 2 ? ["<pad>", "<s>", "</s>"][id] : decode([id], skipSpecialTokens: false) }
}
