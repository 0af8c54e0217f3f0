// Tests of the per-request output side: stop strings never reach the text (held back while they may
// be starting), UTF-8 characters split across tokens arrive whole, and the finish reasons and counts.

@testable import Engine
import Backend
import Testing

@Suite("Request output: stop strings, UTF-8, finish reasons")
struct GenerationStateTests {
    static func state(stop: [String] = [], stopIDs: Set<Int32> = [], maxTokens: Int = 100) -> GenerationState {
        let request = PreparedRequest(
            id: RequestID(0), prompt: [1, 72], adapter: nil, maxTokens: maxTokens, sampling: .greedy, logprobs: nil,
            stopStrings: stop, stopTokenIDs: stopIDs, eosTokenIDs: [2], arrival: .now,
            sink: GenerationSink(yield: { _ in }, finish: {}, fail: { _ in }))
        return GenerationState(request: request, tokenizer: ByteTokenizer())
    }

    /// Feeds `bytes` as tokens; returns each token's text and the finish.
    static func feed(_ state: inout GenerationState, _ bytes: [UInt8]) -> ([String], GenerationFinish?) {
        var texts: [String] = []
        for b in bytes {
            let (token, finish) = state.accept(SampledToken(token: Int32(b)))
            texts.append(token.text)
            if let finish { return (texts, finish) }
        }
        return (texts, nil)
    }

    /// Oracle: the matcher's contract — emitted text is never a stop-string prefix that later matches;
    /// a prefix that does not complete is released.
    @Test func stopStringMatcherHoldsBackPossiblePrefixes() {
        var m = StopStringMatcher(["END", "\n\n"])
        #expect(m.push("hello E") == ("hello ", nil))
        #expect(m.push("N") == ("", nil))
        #expect(m.push("Dgame") == ("", "END"))
        var n = StopStringMatcher(["END"])
        #expect(n.push("EN") == ("", nil))
        #expect(n.push("o") == ("ENo", nil))
        #expect(n.push("E") == ("", nil))
        #expect(n.flush() == "E")
        var both = StopStringMatcher(["ab", "b"])
        #expect(both.push("xab") == ("x", "ab"))  // earliest position wins
    }

    /// Oracle: vLLM stop semantics — generation stops at the stop string, which is excluded from the
    /// text; finish `stop` with the string as stop reason; usage counts every generated token.
    @Test func stopStringEndsGenerationAndIsLeftOut() {
        var s = Self.state(stop: ["wor"])
        let (texts, finish) = Self.feed(&s, Array("Hello world".utf8))
        #expect(texts.joined() == "Hello ")
        #expect(texts.count == 9)
        #expect(finish == GenerationFinish(reason: .stop, stopCause: .string("wor"), promptTokenCount: 2, completionTokenCount: 9))
    }

    /// Oracle: UTF-8 — "é" (C3 A9) and "€" (E2 82 AC) split across tokens arrive as whole characters.
    @Test func splitCharactersArriveWhole() {
        var s = Self.state()
        let (texts, finish) = Self.feed(&s, [0x61, 0xC3, 0xA9, 0xE2, 0x82, 0xAC])
        #expect(texts == ["a", "", "é", "", "", "€"])
        #expect(finish == nil)
    }

    /// Oracle: finish reasons — EOS stops with no stop reason and no text; a stop token id stops with
    /// that id; max tokens ends with `length` and releases held-back text.
    @Test func eosStopTokensAndLength() {
        var eos = Self.state()
        let (eosTexts, eosFinish) = Self.feed(&eos, [0x61, 2])
        #expect(eosTexts == ["a", ""])
        #expect(eosFinish?.reason == .stop && eosFinish?.stopCause == nil && eosFinish?.completionTokenCount == 2)
        var stopID = Self.state(stopIDs: [0x7A])
        let (_, idFinish) = Self.feed(&stopID, [0x61, 0x7A, 0x62])
        #expect(idFinish?.stopCause == .tokenID(0x7A))
        var length = Self.state(stop: ["xyz"], maxTokens: 3)
        let (texts, lengthFinish) = Self.feed(&length, [0x61, 0x78, 0x79])
        #expect(texts == ["a", "", "xy"])  // "xy" was held back as a possible "xyz", released at the end
        #expect(lengthFinish?.reason == .length)
    }
}
