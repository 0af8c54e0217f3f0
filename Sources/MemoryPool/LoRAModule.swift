// The seven linear projections of a Llama layer that a LoRA adapter may target.

/// A linear projection of a Llama decoder layer, in the order the adapter stream stores them.
///
/// `rawValue` is the HF module name (`q_proj`, …), which is also PEFT's spelling in
/// `target_modules` and in adapter tensor names.
public enum LoRAModule: String, CaseIterable, Sendable, Hashable, Codable {
    case q = "q_proj"
    case k = "k_proj"
    case v = "v_proj"
    case o = "o_proj"
    case gate = "gate_proj"
    case up = "up_proj"
    case down = "down_proj"

    /// Position in `allCases`: the index used in per-module tables such as `AdapterBatch` descriptors.
    public var index: Int {
        switch self {
        case .q: 0
        case .k: 1
        case .v: 2
        case .o: 3
        case .gate: 4
        case .up: 5
        case .down: 6
        }
    }

    /// `true` for q/k/v/o (`self_attn`), `false` for gate/up/down (`mlp`).
    public var isAttention: Bool { index < 4 }
}

/// The widths of every projection of one model, which fix each adapter row's length.
public struct ProjectionWidths: Sendable, Hashable {
    /// H, the residual width.
    public let hiddenSize: Int
    /// headCount · headDim (may differ from H when `head_dim` is explicit).
    public let queryWidth: Int
    /// kvHeadCount · headDim.
    public let kvWidth: Int
    /// I, the MLP width.
    public let intermediateSize: Int

    public init(hiddenSize: Int, queryWidth: Int, kvWidth: Int, intermediateSize: Int) {
        self.hiddenSize = hiddenSize
        self.queryWidth = queryWidth
        self.kvWidth = kvWidth
        self.intermediateSize = intermediateSize
    }

    /// Input features of `module` (the row length of its LoRA A).
    public func inputWidth(_ module: LoRAModule) -> Int {
        switch module {
        case .q, .k, .v, .gate, .up: hiddenSize
        case .o: queryWidth
        case .down: intermediateSize
        }
    }

    /// Output features of `module` (the row length of its LoRA Bᵀ).
    public func outputWidth(_ module: LoRAModule) -> Int {
        switch module {
        case .q: queryWidth
        case .k, .v: kvWidth
        case .o, .down: hiddenSize
        case .gate, .up: intermediateSize
        }
    }
}
