// One name clients may send as `model`: the base model or a served adapter.

/// An entry of ``EngineLoop/models()``.
public struct ServedModelInfo: Sendable, Equatable {
    /// The name clients use.
    public var id: String
    /// The base model's path, or the adapter's directory.
    public var root: String
    /// nil for the base model; the base model's name for an adapter.
    public var parent: String?
    /// The context length (base model only).
    public var maxModelLength: Int?
    /// Unix seconds when it became available.
    public var created: Int

    public init(id: String, root: String, parent: String?, maxModelLength: Int?, created: Int) {
        self.id = id
        self.root = root
        self.parent = parent
        self.maxModelLength = maxModelLength
        self.created = created
    }
}
