// `GET /v1/models` (formats-and-api.md §A.7, vLLM `ModelList`/`ModelCard`): the base model's card has
// `parent: null` and `max_model_len`; an adapter's card has `root` = its path and `parent` = the base name.

// MARK: - ModelList

/// `{"object": "list", "data": [ModelCard]}`.
public struct ModelList: Sendable, Equatable, Encodable {
    public var data: [ModelCard]

    public init(data: [ModelCard]) {
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case object, data
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("list", forKey: .object)
        try container.encode(data, forKey: .data)
    }
}

// MARK: - ModelCard

/// `{"id", "object": "model", "created", "owned_by", "root", "parent", "max_model_len"?}`.
public struct ModelCard: Sendable, Equatable, Encodable {
    /// The name clients put in `model`.
    public var id: String
    /// Unix seconds.
    public var created: Int
    public var ownedBy: String
    /// Base: the model path; adapter: the adapter path.
    public var root: String
    /// nil for the base model; the base model's name for an adapter.
    public var parent: String?
    /// Set for the base model only.
    public var maxModelLength: Int?

    public init(
        id: String, created: Int, ownedBy: String = "slora", root: String, parent: String?, maxModelLength: Int?
    ) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
        self.root = root
        self.parent = parent
        self.maxModelLength = maxModelLength
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, root, parent
        case ownedBy = "owned_by"
        case maxModelLength = "max_model_len"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("model", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(ownedBy, forKey: .ownedBy)
        try container.encode(root, forKey: .root)
        try container.encode(parent, forKey: .parent)
        try container.encodeIfPresent(maxModelLength, forKey: .maxModelLength)
    }
}
