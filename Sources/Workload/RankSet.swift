// S-LoRA's adapter rank settings (slora-and-peers.md §1.8): S1 {8}, S2 {8, 16, 32, 64}, S4 {16, 32, 64}.
// Adapter i gets ranks[i mod count], as S-LoRA's launcher numbers copies of its adapter directories in
// turn (dir0-0, dir1-0, …, dir0-1, …).

/// The ranks the benchmark's adapters take.
public enum RankSet: String, CaseIterable, Sendable, Codable {
    case s1 = "S1"
    case s2 = "S2"
    case s4 = "S4"

    /// The distinct ranks, in assignment order.
    public var ranks: [Int] {
        switch self {
        case .s1: [8]
        case .s2: [8, 16, 32, 64]
        case .s4: [16, 32, 64]
        }
    }

    /// The rank of adapter `index` (≥ 0): deterministic, cycling through ``ranks``.
    public func rank(ofAdapter index: Int) -> Int {
        precondition(index >= 0, "adapter index \(index)")
        return ranks[index % ranks.count]
    }

    /// Parses `S1`, `s2`, … (case-insensitive).
    public init?(name: String) {
        self.init(rawValue: name.uppercased())
    }
}
