// A model name clients may send: the base model or a served adapter (formats-and-api.md §A.7–§A.8).

// MARK: - ServedModel

/// One entry of ``InferenceEngine/models()``.
public struct ServedModel: Sendable, Equatable {
    /// The name clients put in `model`.
    public var id: String
    /// Base: the model path; adapter: the adapter path.
    public var root: String
    /// nil for the base model; the base model's name for an adapter.
    public var parent: String?
    /// The context length; set for the base model.
    public var maxModelLength: Int?
    /// When it became available, Unix seconds.
    public var created: Int

    public init(id: String, root: String, parent: String?, maxModelLength: Int?, created: Int) {
        self.id = id
        self.root = root
        self.parent = parent
        self.maxModelLength = maxModelLength
        self.created = created
    }
}
