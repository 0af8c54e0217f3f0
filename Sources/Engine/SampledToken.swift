// One token the model runner picked for a request in a step, with its log-probability under the raw
// model distribution (before temperature, top-k, top-p; vLLM's default `raw_logprobs`) when asked.

import Foundation

/// The sampler's pick for one request.
public struct SampledToken: Sendable, Equatable {
    /// One candidate token and its natural-log probability.
    public struct Candidate: Sendable, Equatable {
        public let token: Int32
        public let logprob: Double

        public init(token: Int32, logprob: Double) {
            self.token = token
            self.logprob = logprob
        }
    }

    public let token: Int32
    /// log softmax(logits)[token]; nil unless the request asked for log-probabilities.
    public let logprob: Double?
    /// The most likely tokens, most likely first (ties: lower id first); empty unless asked.
    public let top: [Candidate]

    public init(token: Int32, logprob: Double? = nil, top: [Candidate] = []) {
        self.token = token
        self.logprob = logprob
        self.top = top
    }

    /// The log-probabilities of `token` and of the `topCount` most likely tokens in `logits` `[V]`.
    /// Computed in Double: `x_i − max − log Σ exp(x_j − max)`.
    public static func withLogprobs(token: Int32, logits: UnsafeBufferPointer<Float>, topCount: Int) -> SampledToken {
        var peak = -Double.infinity
        for x in logits { peak = max(peak, Double(x)) }
        var sum = 0.0
        for x in logits { sum += Foundation.exp(Double(x) - peak) }
        let logNormalizer = peak + Foundation.log(sum)
        func logprob(_ id: Int) -> Double { Double(logits[id]) - logNormalizer }
        var top: [Candidate] = []
        if topCount > 0 {
            // Insertion into a sorted window of `topCount` ids: O(V · topCount), topCount ≤ 20.
            var best: [Int] = []
            for id in logits.indices {
                if best.count == topCount, logits[id] <= logits[best[best.count - 1]] { continue }
                var at = best.count
                while at > 0, logits[best[at - 1]] < logits[id] { at -= 1 }
                best.insert(id, at: at)
                if best.count > topCount { best.removeLast() }
            }
            top = best.map { Candidate(token: Int32($0), logprob: logprob($0)) }
        }
        return SampledToken(token: token, logprob: logprob(Int(token)), top: top)
    }
}
