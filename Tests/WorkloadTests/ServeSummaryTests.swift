// Tests of the benchmark's figures against hand arithmetic with S-LoRA's definitions: throughput over
// the wall time including the drain, latencies over completed requests, SLO attainment and
// satisfaction over all requests (aborted ones count 0), percentiles as numpy's linear interpolation.

import Testing
import Workload

struct ServeSummaryTests {
    /// Oracle: numpy.percentile (linear) on small arrays, computed by hand.
    @Test func percentilesMatchNumpy() {
        #expect(ServeSummary.percentile([1, 2, 3, 4], 50) == 2.5)
        #expect(abs(ServeSummary.percentile([1, 2, 3, 4], 90) - 3.7) < 1e-12)
        #expect(abs(ServeSummary.percentile([1, 2, 3, 4], 99) - 3.97) < 1e-12)
        #expect(ServeSummary.percentile([5], 99) == 5)
        #expect(ServeSummary.percentile([], 50) == 0)
    }

    /// Oracle: hand arithmetic over four requests (two completed, one aborted, one failed).
    @Test func figuresByHand() {
        let outcomes = [
            RequestOutcome(
                index: 0, adapter: 0, promptLength: 10, outputLength: 4, scheduled: 0, sent: 0, firstToken: 1, finished: 4,
                generatedTokens: 4, status: .completed),
            RequestOutcome(
                index: 1, adapter: 1, promptLength: 10, outputLength: 2, scheduled: 1, sent: 1.5, firstToken: 8.5,
                finished: 10, generatedTokens: 2, status: .completed),
            RequestOutcome(
                index: 2, adapter: nil, promptLength: 10, outputLength: 2, scheduled: 2, sent: 2, firstToken: nil, finished: 7,
                generatedTokens: 0, status: .aborted, error: "deadline"),
            RequestOutcome(
                index: 3, adapter: nil, promptLength: 10, outputLength: 2, scheduled: 3, sent: 3, firstToken: 3.5, finished: 3.6,
                generatedTokens: 1, status: .failed, error: "boom"),
        ]
        let s = ServeSummary(outcomes: outcomes, slo: 6)
        #expect(s.requestCount == 4 && s.completedCount == 2 && s.abortedCount == 1 && s.failedCount == 1)
        #expect(s.wallSeconds == 10)
        #expect(s.requestsPerSecond == 0.2)
        #expect(s.generatedTokensPerSecond == 0.6)
        #expect(s.averageLatency == (4 + 8.5) / 2)
        #expect(s.averageLatencyPerOutputToken == (1 + 4.25) / 2)
        #expect(s.firstTokenAverage == (1 + 7) / 2)
        #expect(s.firstTokenP50 == 4)
        // Only request 0 meets 6 s: 1 of 4; its reward 1 − (1/6)².
        #expect(s.sloAttainment == 0.25)
        #expect(abs(s.userSatisfaction - (1 - 1.0 / 36) / 4) < 1e-12)
        #expect(s.maxSendLag == 0.5)
    }
}
