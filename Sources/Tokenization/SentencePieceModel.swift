// SentencePieceModel.swift
// The score-ranked BPE of SentencePiece, as llama.cpp runs it for GGUF "llama" vocabularies: the text starts
// as one symbol per Unicode scalar; the adjacent pair whose concatenation is a token with the highest score
// is merged (ties: leftmost) until none is left; symbols that are not tokens fall back to `<0xNN>` bytes.

/// A score-based SentencePiece BPE model.
struct SentencePieceModel: Sendable {
    let tokenToID: [String: Int32]
    let scores: [Float]
    /// `<0xNN>` token ids, -1 where absent.
    private let byteIDs: [Int32]
    let unknownID: Int32?

    init(tokens: [String], scores: [Float], unknownID: Int32?) {
        var table: [String: Int32] = [:]
        table.reserveCapacity(tokens.count)
        // The first occurrence of a duplicated token text wins, as in llama.cpp's `token_to_id`.
        for (id, token) in tokens.enumerated() where table[token] == nil { table[token] = Int32(id) }
        tokenToID = table
        self.scores = scores
        var bytes = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            if let id = table[BPEModel.byteTokenText(UInt8(byte))] { bytes[byte] = id }
        }
        byteIDs = bytes
        self.unknownID = unknownID
    }

    // MARK: - Tokenizing

    /// A symbol: a byte range of the text in a doubly linked list; `length == 0` marks a merged-away slot.
    private struct Symbol {
        var start: Int
        var length: Int
        var previous: Int
        var next: Int
    }

    /// A queued merge: the highest score first, then the leftmost.
    private struct Candidate: Comparable {
        var score: Float
        var left: Int
        var right: Int
        var length: Int

        static func < (a: Candidate, b: Candidate) -> Bool {
            a.score != b.score ? a.score > b.score : a.left < b.left
        }
    }

    /// Appends the ids of `text` (already normalized: spaces are `▁`) to `output`.
    func tokenize(_ text: String, into output: inout [Int32]) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        var symbols: [Symbol] = []
        symbols.reserveCapacity(text.unicodeScalars.count)
        var offset = 0
        for scalar in text.unicodeScalars {
            let length = UTF8.width(scalar)
            symbols.append(Symbol(start: offset, length: length, previous: symbols.count - 1, next: symbols.count + 1))
            offset += length
        }
        symbols[symbols.count - 1].next = -1

        var queue = BinaryHeap<Candidate>()
        func piece(_ start: Int, _ length: Int) -> String {
            String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        }
        func enqueue(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let length = symbols[left].length + symbols[right].length
            let text = piece(symbols[left].start, length)
            guard let id = tokenToID[text], Int(id) < scores.count else { return }
            queue.insert(Candidate(score: scores[Int(id)], left: left, right: right, length: length))
        }
        for index in 1..<symbols.count { enqueue(index - 1, index) }

        while let top = queue.popMin() {
            let left = symbols[top.left]
            let right = symbols[top.right]
            // Stale: one side was merged since.
            guard left.length > 0, right.length > 0, left.length + right.length == top.length else { continue }
            symbols[top.left].length += right.length
            symbols[top.left].next = right.next
            symbols[top.right].length = 0
            if right.next >= 0 { symbols[right.next].previous = top.left }
            enqueue(left.previous, top.left)
            enqueue(top.left, right.next)
        }

        var index = symbols.isEmpty ? -1 : 0
        while index >= 0 {
            emit(symbols[index], bytes: bytes, into: &output)
            index = symbols[index].next
        }
    }

    /// A merged symbol is always a token; a symbol that is not is a single scalar missing from the vocabulary,
    /// which falls back to its bytes (or `unk` when byte tokens are missing).
    private func emit(_ symbol: Symbol, bytes: [UInt8], into output: inout [Int32]) {
        let symbolBytes = bytes[symbol.start..<(symbol.start + symbol.length)]
        if let id = tokenToID[String(decoding: symbolBytes, as: UTF8.self)] {
            output.append(id)
        } else if symbolBytes.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
            for byte in symbolBytes { output.append(byteIDs[Int(byte)]) }
        } else if let unknownID {
            output.append(unknownID)
        }
    }
}
