// The tokenizer of a dummy model (`--dummy-model`): token id i is the text " t<i>", so streamed
// responses carry one non-empty text delta per generated token (the HTTP benchmark times the first
// one), and text prompts map each whitespace-separated word onto an id by a hash.

import Tokenization

/// A stand-in tokenizer for random-weight models.
struct DummyTokenizer: TextTokenizer {
    let vocabularySize: Int

    var bosTokenID: Int? { nil }
    var eosTokenIDs: [Int] { [] }

    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        text.split(whereSeparator: \.isWhitespace).map { word in
            if let id = tokenID(for: String(word)) { return id }
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
            for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return Int(hash % UInt64(vocabularySize))
        }
    }

    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        ids.filter { (0..<vocabularySize).contains($0) }.map { " t\($0)" }.joined()
    }

    func tokenID(for token: String) -> Int? {
        guard token.hasPrefix("t"), let id = Int(token.dropFirst()), (0..<vocabularySize).contains(id) else { return nil }
        return id
    }

    func token(for id: Int) -> String? { (0..<vocabularySize).contains(id) ? "t\(id)" : nil }
}
