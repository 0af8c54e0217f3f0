// The knobs of S-LoRA's synthetic workload (`benchmarks/trace.py::generate_requests`,
// slora-and-peers.md §1.8): adapter count n and popularity exponent α, Gamma arrivals with a rate and a
// coefficient of variation, uniform prompt and output lengths, the rank set, and the seed.

/// Settings of one synthetic workload.
public struct WorkloadConfiguration: Sendable, Equatable, Codable {
    /// Number of adapters n; 0 sends every request to the base model.
    public var adapterCount: Int
    /// Popularity exponent α: adapter = ⌊x·n⌋ with x drawn from density α·x^(α−1) on [0, 1]
    /// (numpy's `power`); α = 1 is uniform, α < 1 favours low indices.
    public var alpha: Double
    /// Mean requests per second.
    public var rate: Double
    /// Coefficient of variation of the inter-arrival times (1: Poisson; larger: burstier).
    public var cv: Double
    /// Seconds of arrivals: the workload has ⌊rate · duration⌋ requests, as S-LoRA's.
    public var duration: Double
    /// Prompt lengths, uniform over these integers (S-LoRA: 8..<512, numpy `randint`'s half-open range).
    public var promptLengths: Range<Int>
    /// Output lengths, uniform over these integers.
    public var outputLengths: Range<Int>
    public var rankSet: RankSet
    public var seed: UInt64

    public init(
        adapterCount: Int, alpha: Double = 1, rate: Double, cv: Double = 1, duration: Double,
        promptLengths: Range<Int> = 8..<512, outputLengths: Range<Int> = 8..<512, rankSet: RankSet = .s1,
        seed: UInt64 = 42
    ) {
        self.adapterCount = adapterCount
        self.alpha = alpha
        self.rate = rate
        self.cv = cv
        self.duration = duration
        self.promptLengths = promptLengths
        self.outputLengths = outputLengths
        self.rankSet = rankSet
        self.seed = seed
    }

    /// Requests the workload holds: ⌊rate · duration⌋.
    public var requestCount: Int { Int((rate * duration).rounded(.down)) }

    /// The rank of every adapter, `[adapterCount]`.
    public var adapterRanks: [Int] { (0..<adapterCount).map { rankSet.rank(ofAdapter: $0) } }

    /// Throws when a field is out of range.
    public func validate() throws(WorkloadError) {
        func bad(_ field: String, _ reason: String) -> WorkloadError { .invalidConfiguration(field: field, reason: reason) }
        if adapterCount < 0 { throw bad("adapterCount", "must be ≥ 0 (got \(adapterCount))") }
        if !(alpha > 0 && alpha.isFinite) { throw bad("alpha", "must be > 0 (got \(alpha))") }
        if !(rate > 0 && rate.isFinite) { throw bad("rate", "must be > 0 (got \(rate))") }
        if !(cv > 0 && cv.isFinite) { throw bad("cv", "must be > 0 (got \(cv))") }
        if !(duration > 0 && duration.isFinite) { throw bad("duration", "must be > 0 (got \(duration))") }
        if promptLengths.isEmpty || promptLengths.lowerBound < 1 {
            throw bad("promptLengths", "must be a non-empty range of lengths ≥ 1 (got \(promptLengths))")
        }
        if outputLengths.isEmpty || outputLengths.lowerBound < 1 {
            throw bad("outputLengths", "must be a non-empty range of lengths ≥ 1 (got \(outputLengths))")
        }
        if requestCount > 10_000_000 { throw bad("rate · duration", "gives \(requestCount) requests (at most 10⁷)") }
    }
}
