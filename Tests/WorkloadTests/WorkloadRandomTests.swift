// Tests of the deterministic random source: reproducibility and the moments of its distributions.

import Foundation
import Testing
import Workload

struct WorkloadRandomTests {
    /// Oracle: determinism — two generators with one seed agree, and unit() stays in [0, 1).
    @Test func reproducible() {
        var a = WorkloadRandom(seed: 99)
        var b = WorkloadRandom(seed: 99)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        for _ in 0..<1000 {
            let u = a.unit()
            #expect(u >= 0 && u < 1)
        }
    }

    /// Oracle: Gamma(k, θ) has mean kθ and variance kθ² (100k draws; tolerance 5 %, several standard errors),
    /// both for shape ≥ 1 and for shape < 1 (the boosted branch).
    @Test(arguments: [(0.25, 2.0), (1.0, 0.5), (3.0, 1.5)])
    func gammaMoments(shape: Double, scale: Double) {
        var random = WorkloadRandom(seed: 1234)
        let draws = (0..<100_000).map { _ in random.gamma(shape: shape, scale: scale) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
        #expect(abs(mean / (shape * scale) - 1) < 0.05)
        #expect(abs(variance / (shape * scale * scale) - 1) < 0.05)
        #expect(draws.allSatisfy { $0 > 0 })
    }
}
