// Tests of the synthetic workload: determinism by seed, and the statistical invariants of S-LoRA's
// knobs (Gamma inter-arrival mean 1/rate and coefficient of variation cv, the power-law popularity's
// CDF x^α, uniform lengths, rank sets) checked on large samples with tolerances several standard
// errors wide.

import Foundation
import Testing
import Workload

struct WorkloadGeneratorTests {
    /// Oracle: determinism — the same configuration and seed give identical requests, another seed differs.
    @Test func sameSeedSameRequests() throws {
        let c = WorkloadConfiguration(adapterCount: 100, alpha: 0.5, rate: 10, cv: 2, duration: 60, rankSet: .s2, seed: 7)
        let a = try WorkloadGenerator.requests(c)
        let b = try WorkloadGenerator.requests(c)
        #expect(a == b)
        var other = c
        other.seed = 8
        #expect(try WorkloadGenerator.requests(other) != a)
    }

    /// Oracle: S-LoRA's count ⌊rate·duration⌋ and arrivals as a running sum of positive intervals.
    @Test func countAndOrder() throws {
        let requests = try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: 5, rate: 2.5, duration: 11, seed: 1))
        #expect(requests.count == 27)
        #expect(requests.first!.arrival > 0)
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $0.arrival <= $1.arrival })
    }

    /// Oracle: Gamma(1/cv², cv²/rate) has mean 1/rate and coefficient of variation cv (200k intervals;
    /// standard errors are ≤ 1 % for cv ≤ 4, tolerance 5 %).
    @Test(arguments: [0.5, 1.0, 2.0, 4.0])
    func interArrivalMeanAndCV(cv: Double) throws {
        let rate = 8.0
        let requests = try WorkloadGenerator.requests(
            WorkloadConfiguration(adapterCount: 1, rate: rate, cv: cv, duration: 200_000 / rate, seed: 11))
        var previous = 0.0
        let intervals = requests.map { r -> Double in
            defer { previous = r.arrival }
            return r.arrival - previous
        }
        let mean = intervals.reduce(0, +) / Double(intervals.count)
        let variance = intervals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(intervals.count - 1)
        #expect(abs(mean * rate - 1) < 0.05)
        #expect(abs(variance.squareRoot() / mean / cv - 1) < 0.05)
        // Bursty Gamma draws can be smaller than the clock's resolution: arrivals may coincide.
        #expect(intervals.allSatisfy { $0 >= 0 })
    }

    /// Oracle: the power-function law — P(adapter < k) = (k/n)^α (numpy `power(α)` scaled by n), on 200k
    /// requests, absolute tolerance 0.01 (standard error ≤ 0.0012).
    @Test(arguments: [0.1, 0.5, 1.0, 2.0])
    func popularityFollowsPowerLaw(alpha: Double) throws {
        let n = 20
        let requests = try WorkloadGenerator.requests(
            WorkloadConfiguration(adapterCount: n, alpha: alpha, rate: 1000, duration: 200, seed: 3))
        var counts = [Int](repeating: 0, count: n)
        for r in requests { counts[try #require(r.adapter)] += 1 }
        var cumulative = 0
        for k in 1...n {
            cumulative += counts[k - 1]
            let observed = Double(cumulative) / Double(requests.count)
            #expect(abs(observed - pow(Double(k) / Double(n), alpha)) < 0.01, "k = \(k)")
        }
    }

    /// Oracle: uniform lengths over the half-open range — every value in range, both ends reached,
    /// mean (lo + hi − 1) / 2 within 1 %.
    @Test func lengthsUniformInRange() throws {
        let requests = try WorkloadGenerator.requests(
            WorkloadConfiguration(
                adapterCount: 3, rate: 100, duration: 500, promptLengths: 8..<512, outputLengths: 1..<5, seed: 5))
        let prompts = requests.map(\.promptLength)
        let outputs = requests.map(\.outputLength)
        #expect(prompts.allSatisfy { (8..<512).contains($0) })
        #expect(prompts.min() == 8 && prompts.max() == 511)
        #expect(Set(outputs) == [1, 2, 3, 4])
        let mean = Double(prompts.reduce(0, +)) / Double(prompts.count)
        #expect(abs(mean / 259.5 - 1) < 0.01)
    }

    /// Oracle: n = 0 is the base model only.
    @Test func zeroAdaptersIsBaseOnly() throws {
        let requests = try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: 0, rate: 10, duration: 10))
        #expect(requests.count == 100)
        #expect(requests.allSatisfy { $0.adapter == nil })
    }

    /// Oracle: S-LoRA's settings table (S1 {8}, S2 {8,16,32,64}, S4 {16,32,64}), assigned cyclically.
    @Test func rankSets() {
        #expect(WorkloadConfiguration(adapterCount: 5, rate: 1, duration: 1, rankSet: .s1).adapterRanks == [8, 8, 8, 8, 8])
        #expect(WorkloadConfiguration(adapterCount: 6, rate: 1, duration: 1, rankSet: .s2).adapterRanks == [8, 16, 32, 64, 8, 16])
        #expect(WorkloadConfiguration(adapterCount: 4, rate: 1, duration: 1, rankSet: .s4).adapterRanks == [16, 32, 64, 16])
        #expect(RankSet(name: "s2") == .s2)
        #expect(RankSet(name: "S3") == nil)
    }

    /// Oracle: out-of-range knobs are refused with the field named.
    @Test func invalidConfigurations() {
        #expect(throws: WorkloadError.self) { try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: -1, rate: 1, duration: 1)) }
        #expect(throws: WorkloadError.self) { try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: 1, rate: 0, duration: 1)) }
        #expect(throws: WorkloadError.self) {
            try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: 1, rate: 1, cv: -2, duration: 1))
        }
        #expect(throws: WorkloadError.self) {
            try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: 1, rate: 1, duration: 1, promptLengths: 0..<4))
        }
        do {
            _ = try WorkloadGenerator.requests(WorkloadConfiguration(adapterCount: 1, alpha: 0, rate: 1, duration: 1))
            Issue.record("alpha 0 accepted")
        } catch {
            #expect(error.description.contains("alpha"))
        }
    }
}
