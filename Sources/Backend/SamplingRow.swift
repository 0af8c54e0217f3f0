// Per-row sampling parameters handed to the backend's sampler.

/// How to pick the next token from one row of logits.
///
/// `temperature == 0` is greedy (argmax, lowest id on ties). Otherwise: logits / temperature,
/// keep the `topK` largest (0 = all), keep the smallest prefix of the descending-sorted
/// distribution whose mass reaches `topP`, renormalise, and draw with the uniform number
/// `SamplingRow.uniform(seed:step:)`, so a seed gives the same tokens on every backend.
public struct SamplingRow: Sendable, Hashable {
    public var temperature: Float
    public var topP: Float
    public var topK: Int
    public var seed: UInt64
    /// Index of the token being generated (0 for the first), mixed into the random draw.
    public var step: Int

    public init(temperature: Float = 0, topP: Float = 1, topK: Int = 0, seed: UInt64 = 0, step: Int = 0) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.step = step
    }

    public static let greedy = SamplingRow()

    /// The uniform number in [0, 1) for this row's draw: SplitMix64 of `seed` and `step`.
    public var uniform: Double {
        var z = seed &+ UInt64(truncatingIfNeeded: step) &* 0x9E37_79B9_7F4A_7C15 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z = z ^ (z >> 31)
        return Double(z >> 11) / Double(1 << 53)
    }
}
