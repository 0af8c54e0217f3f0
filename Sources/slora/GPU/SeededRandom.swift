// A small deterministic generator for gpu-check's random inputs (SplitMix64; Gaussians by Box–Muller),
// so every run of a check sees the same data.

import Foundation

/// Deterministic random numbers.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform integer in `range`.
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    /// `count` values from N(0, scale²).
    mutating func gaussians(_ count: Int, scale: Float = 1) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let u1 = max(uniform(), 1e-300)
            let u2 = uniform()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            values[i] = Float(r * Foundation.cos(2 * .pi * u2)) * scale
            if i + 1 < count { values[i + 1] = Float(r * Foundation.sin(2 * .pi * u2)) * scale }
            i += 2
        }
        return values
    }

    /// A random permutation of `0..<count`.
    mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { values.swapAt(i, int(0..<(i + 1))) }
        return values
    }
}
