// The workload's random source: xoshiro256** seeded through SplitMix64, so a seed gives the same
// requests on every platform and Swift version (the standard library's generator is unspecified), plus
// the draws the generator needs: uniform reals and integers, Gamma variates (Marsaglia–Tsang) and
// numpy's power-function distribution.

import Foundation

/// A deterministic random number generator with the distributions of S-LoRA's `trace.py`.
public struct WorkloadRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// The generator for `seed`; equal seeds give equal sequences.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    // MARK: - Distributions

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform over the integers in `range` (half-open, like numpy's `randint(low, high)`).
    public mutating func integer(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "empty range")
        return range.lowerBound + Int(next(upperBound: UInt64(range.count)))
    }

    /// A standard normal variate (Box–Muller, one of the pair).
    public mutating func normal() -> Double {
        var u = unit()
        while u == 0 { u = unit() }
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit())
    }

    /// A Gamma(shape, scale) variate: mean shape·scale, variance shape·scale². Marsaglia and Tsang's
    /// method (ACM TOMS 26(3), 2000), with the `U^(1/shape)` boost for shape < 1.
    public mutating func gamma(shape: Double, scale: Double) -> Double {
        precondition(shape > 0 && scale > 0, "gamma needs shape > 0 and scale > 0")
        if shape < 1 {
            var u = unit()
            while u == 0 { u = unit() }
            return gamma(shape: shape + 1, scale: scale) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * scale }
            if u > 0, log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v * scale }
        }
    }

    /// numpy's `random.power(a)`: values in [0, 1] with density `a·x^(a−1)` (inverse CDF `u^(1/a)`).
    public mutating func power(exponent a: Double) -> Double {
        precondition(a > 0, "power needs a > 0")
        return pow(unit(), 1 / a)
    }
}
