// The output side of one running request: turns each sampled token into a text delta (UTF-8 safe,
// stop strings held back and cut), checks the stop conditions (EOS, stop token ids, stop strings,
// max tokens) and builds the events. Pure: the engine core sends what it returns.

import Tokenization

/// Per-request output state machine.
struct GenerationState {
    let request: PreparedRequest
    private var detokenizer: StreamingDetokenizer?
    private var stops: StopStringMatcher
    private let tokenizer: (any TextTokenizer)?
    /// Tokens generated so far.
    private(set) var generatedCount = 0

    init(request: PreparedRequest, tokenizer: (any TextTokenizer)?) {
        self.request = request
        self.tokenizer = tokenizer
        self.detokenizer = tokenizer.map { StreamingDetokenizer(tokenizer: $0, skipSpecialTokens: true) }
        self.stops = StopStringMatcher(request.stopStrings)
    }

    /// Accepts the next sampled token: the token's event, and the finish when it ends the request.
    mutating func accept(_ sampled: SampledToken) -> (token: GeneratedTokenOutput, finish: GenerationFinish?) {
        generatedCount += 1
        let id = sampled.token
        var text = ""
        var reason: GenerationFinish.Reason?
        var cause: GenerationFinish.StopCause?
        var stoppedByString = false
        if request.eosTokenIDs.contains(id) {
            reason = .stop
        } else if request.stopTokenIDs.contains(id) {
            reason = .stop
            cause = .tokenID(id)
        } else {
            let (safe, stop) = stops.push(detokenizer?.append(Int(id)) ?? "")
            text = safe
            if let stop {
                reason = .stop
                cause = .string(stop)
                stoppedByString = true
            }
        }
        if reason == nil, generatedCount >= request.maxTokens { reason = .length }
        if reason != nil, !stoppedByString {
            // Ending for another reason: release what was held back (a split character, a partial stop).
            let (safe, stop) = stops.push(detokenizer?.finish() ?? "")
            text += safe
            if let stop {
                reason = .stop
                cause = .string(stop)
            } else {
                text += stops.flush()
            }
        }
        let token = GeneratedTokenOutput(id: id, text: text, logprobs: logprobs(of: sampled))
        let finish = reason.map {
            GenerationFinish(
                reason: $0, stopCause: cause, promptTokenCount: request.prompt.count, completionTokenCount: generatedCount)
        }
        return (token, finish)
    }

    /// The finish event of a request ended by the server.
    func abortFinish() -> GenerationFinish {
        GenerationFinish(
            reason: .abort, stopCause: nil, promptTokenCount: request.prompt.count, completionTokenCount: generatedCount)
    }

    private func logprobs(of sampled: SampledToken) -> TokenLogprobs? {
        guard request.logprobs != nil, let logprob = sampled.logprob else { return nil }
        return TokenLogprobs(
            chosen: entry(sampled.token, logprob), top: sampled.top.map { entry($0.token, $0.logprob) })
    }

    private func entry(_ id: Int32, _ logprob: Double) -> TokenLogprobs.Entry {
        // Without a tokenizer, vLLM's `return_tokens_as_token_ids` spelling keeps alternatives distinct.
        let text = tokenizer?.decode([Int(id)], skipSpecialTokens: false) ?? "token_id:\(id)"
        return TokenLogprobs.Entry(id: id, text: text, bytes: Array(text.utf8), logprob: logprob)
    }
}
