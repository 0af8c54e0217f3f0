// BPEModel.swift
// The merges-ranked BPE model of HF `tokenizers` (model type "BPE"): a word starts as one symbol per Unicode
// scalar (byte fallback / unk for scalars not in the vocabulary) and the adjacent pair with the lowest merge
// rank is merged until no ranked pair is left. Used by byte-level (GPT-2, Llama-3, SmolLM) and
// SentencePiece-converted (Llama-2, Mistral) tokenizer.json files, and by GGUF "gpt2" vocabularies.

/// A merges-based BPE model.
struct BPEModel: Sendable {
    /// The result of merging one pair.
    struct Merge: Sendable {
        var rank: Int32
        var mergedID: Int32
    }

    let tokenToID: [String: Int32]
    /// Single-scalar tokens by scalar value (the common case of initial symbols).
    private let scalarToID: [UInt32: Int32]
    /// Merges keyed by `left << 32 | right`.
    private let merges: [UInt64: Merge]
    /// `<0xNN>` token ids, -1 where absent.
    private let byteIDs: [Int32]
    let unknownID: Int32?
    let fuseUnknown: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let continuingSubwordPrefix: String
    let endOfWordSuffix: String

    /// - Parameters:
    ///   - merges: pairs in priority order; a pair whose parts or concatenation are not in `vocabulary` is skipped.
    init(
        vocabulary: [String: Int32], merges mergePairs: [(String, String)], unknownToken: String?,
        fuseUnknown: Bool, byteFallback: Bool, ignoreMerges: Bool, continuingSubwordPrefix: String?,
        endOfWordSuffix: String?
    ) {
        tokenToID = vocabulary
        self.continuingSubwordPrefix = continuingSubwordPrefix ?? ""
        self.endOfWordSuffix = endOfWordSuffix ?? ""
        var scalars: [UInt32: Int32] = [:]
        for (token, id) in vocabulary {
            var iterator = token.unicodeScalars.makeIterator()
            if let first = iterator.next(), iterator.next() == nil { scalars[first.value] = id }
        }
        scalarToID = scalars
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(mergePairs.count)
        let prefixCount = self.continuingSubwordPrefix.unicodeScalars.count
        for (rank, (left, right)) in mergePairs.enumerated() {
            guard let leftID = vocabulary[left], let rightID = vocabulary[right] else { continue }
            let rightBody = prefixCount > 0 && right.hasPrefix(self.continuingSubwordPrefix)
                ? String(String.UnicodeScalarView(right.unicodeScalars.dropFirst(prefixCount))) : right
            guard let mergedID = vocabulary[left + rightBody] else { continue }
            table[Self.key(leftID, rightID)] = Merge(rank: Int32(clamping: rank), mergedID: mergedID)
        }
        merges = table
        var bytes = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            if let id = vocabulary[Self.byteTokenText(UInt8(byte))] { bytes[byte] = id }
        }
        byteIDs = bytes
        unknownID = unknownToken.flatMap { vocabulary[$0] }
        self.fuseUnknown = fuseUnknown
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
    }

    /// `<0xNN>` with upper-case hex digits.
    static func byteTokenText(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])>"
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    // MARK: - Tokenizing one word

    /// Appends the ids of `word` (one pre-tokenized piece) to `output`.
    func tokenize(_ word: String, into output: inout [Int32]) {
        if ignoreMerges, let id = tokenToID[word] {
            output.append(id)
            return
        }
        var symbols = initialSymbols(of: word)
        applyMerges(to: &symbols)
        for symbol in symbols where symbol.id >= 0 { output.append(symbol.id) }
    }

    /// A symbol of the word being merged: a doubly linked list over an array; `id == -1` marks a dead slot.
    private struct Symbol {
        var id: Int32
        var previous: Int32
        var next: Int32
    }

    private func initialSymbols(of word: String) -> [Symbol] {
        var ids: [Int32] = []
        let scalars = Array(word.unicodeScalars)
        ids.reserveCapacity(scalars.count)
        let plain = continuingSubwordPrefix.isEmpty && endOfWordSuffix.isEmpty
        var pendingUnknown = false  // an unk waiting to be emitted (fuse_unk joins consecutive ones)
        for (index, scalar) in scalars.enumerated() {
            let found: Int32?
            var text = ""
            if plain {
                found = scalarToID[scalar.value]
            } else {
                text = (index > 0 ? continuingSubwordPrefix : "") + String(scalar)
                    + (index == scalars.count - 1 ? endOfWordSuffix : "")
                found = tokenToID[text]
            }
            if let id = found {
                if pendingUnknown, let unknownID { ids.append(unknownID) }
                pendingUnknown = false
                ids.append(id)
                continue
            }
            if byteFallback {
                let bytes = plain ? Array(String(scalar).utf8) : Array(text.utf8)
                if bytes.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
                    // HF does not flush a pending unk before byte tokens; it follows them.
                    for byte in bytes { ids.append(byteIDs[Int(byte)]) }
                    continue
                }
            }
            guard let unknownID else { continue }
            if pendingUnknown && !fuseUnknown { ids.append(unknownID) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknownID { ids.append(unknownID) }
        return ids.enumerated().map { index, id in
            Symbol(id: id, previous: Int32(index - 1), next: index + 1 < ids.count ? Int32(index + 1) : -1)
        }
    }

    /// A queued merge: ordered by rank, then by position (leftmost first), as HF does.
    private struct Candidate: Comparable {
        var rank: Int32
        var position: Int32
        var mergedID: Int32

        static func < (a: Candidate, b: Candidate) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.position < b.position
        }
    }

    private func applyMerges(to symbols: inout [Symbol]) {
        guard symbols.count > 1 else { return }
        var queue = BinaryHeap<Candidate>()
        queue.reserveCapacity(symbols.count)
        func enqueue(_ position: Int32) {
            let next = symbols[Int(position)].next
            guard next >= 0 else { return }
            let left = symbols[Int(position)].id
            let right = symbols[Int(next)].id
            if let merge = merges[Self.key(left, right)] {
                queue.insert(Candidate(rank: merge.rank, position: position, mergedID: merge.mergedID))
            }
        }
        for position in 0..<(symbols.count - 1) { enqueue(Int32(position)) }
        while let top = queue.popMin() {
            let position = Int(top.position)
            let symbol = symbols[position]
            // Stale entries: HF keeps one only if the pair now at `position` still merges into the same token.
            guard symbol.id >= 0, symbol.next >= 0 else { continue }
            let nextPosition = Int(symbol.next)
            guard merges[Self.key(symbol.id, symbols[nextPosition].id)]?.mergedID == top.mergedID else { continue }
            let afterNext = symbols[nextPosition].next
            symbols[position].id = top.mergedID
            symbols[position].next = afterNext
            symbols[nextPosition].id = -1
            if afterNext >= 0 { symbols[Int(afterNext)].previous = top.position }
            if symbol.previous >= 0 { enqueue(symbol.previous) }
            enqueue(top.position)
        }
    }
}
