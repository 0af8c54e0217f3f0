// SplitPatternTests.swift
// The hand-written GPT-2 / Llama-3 / Qwen2 pre-tokenizer regexes against the same regexes run by
// NSRegularExpression (ICU), on the golden corpus and on seeded random strings; and a tokenizer.json whose
// regex is only run by NSRegularExpression against the HF goldens.

import Foundation
import Testing
@testable import Tokenization

@Suite("Split patterns")
struct SplitPatternTests {
    static let known: [(SplitPattern.KnownRegex, String)] = [
        (.gpt2, SplitPattern.gpt2Source), (.llama3, SplitPattern.llama3Source), (.qwen2, SplitPattern.qwen2Source),
    ]

    /// Scalars for random strings. U+000B and U+0085 are left out: Oniguruma's `\s` has them, ICU's does not.
    static let pool: [Unicode.Scalar] = Array(
        "aZé ß日本\u{1F980}\u{200D}09٣²'sStTrReEvVmMlLdD\u{017F} \t\n\r\u{A0}\u{3000}\u{2028}.,!?-_$#\u{301}\u{FFFD}"
            .unicodeScalars)

    /// A deterministic pseudo-random generator (SplitMix64) so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Oracle: NSRegularExpression (ICU) running the original regex source.
    @Test(arguments: [0, 1, 2])
    func handWrittenMatchesFoundation(which: Int) throws {
        let (known, source) = Self.known[which]
        let regex = try #require(CompiledRegex(source))
        var texts = try TokenizerFixtures.golden("smollm2").cases.map(\.text)
        var generator = SplitMix(state: UInt64(which) + 42)
        for _ in 0..<400 {
            let length = Int.random(in: 0..<24, using: &generator)
            texts.append(String(String.UnicodeScalarView((0..<length).map { _ in Self.pool.randomElement(using: &generator)! })))
        }
        for text in texts {
            let scalars = Array(text.unicodeScalars)
            #expect(SplitPattern.known(known).matches(in: scalars) == regex.matches(in: scalars), "\(text.debugDescription)")
        }
    }

    /// Oracle: HF `tokenizers` goldens of bytelevel-llama3, with its Split regex written so that it is not
    /// recognised and runs through NSRegularExpression.
    @Test func foundationRegexTokenizerMatchesGoldens() throws {
        let url = TokenizerFixtures.folder("bytelevel-llama3").appendingPathComponent("tokenizer.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        let escapedSource = "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|"
        #expect(text.contains(escapedSource))
        text = text.replacingOccurrences(of: escapedSource, with: "\"(?:)(?i:'s|'t|'re|'ve|'m|'ll|'d)|")
        let tokenizer = try BPETokenizer(tokenizerJSON: Data(text.utf8))
        for golden in try TokenizerFixtures.golden("bytelevel-llama3").cases {
            #expect(tokenizer.encode(golden.text, addSpecialTokens: true) == golden.ids, "\(golden.text.debugDescription)")
        }
    }

    /// Oracle: hand-computed splits (HF `SplitDelimiterBehavior` documentation examples on "the-final--countdown").
    @Test func splitBehaviors() {
        let piece = PreToken(text: "the-final--countdown", startsAtOrigin: true)
        func run(_ behavior: SplitBehavior, invert: Bool = false) -> [String] {
            PreTokenizer.split(piece, pattern: .literal(["-"]), behavior: behavior, invert: invert).map(\.text)
        }
        #expect(run(.removed) == ["the", "final", "countdown"])
        #expect(run(.isolated) == ["the", "-", "final", "-", "-", "countdown"])
        #expect(run(.mergedWithPrevious) == ["the-", "final-", "-", "countdown"])
        #expect(run(.mergedWithNext) == ["the", "-final", "-", "-countdown"])
        #expect(run(.contiguous) == ["the", "-", "final", "--", "countdown"])
        #expect(run(.removed, invert: true) == ["-", "-", "-"])
    }
}
