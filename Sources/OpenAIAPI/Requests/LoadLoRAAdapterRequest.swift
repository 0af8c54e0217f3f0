// The body of `POST /v1/load_lora_adapter` (vLLM `LoadLoRAAdapterRequest`, formats-and-api.md §A.9):
// `{"lora_name": "sql", "lora_path": "/adapters/sql"}`. Both are required and non-empty.

// MARK: - LoadLoRAAdapterRequest

/// A request to load an adapter from a PEFT directory and serve it under a name.
public struct LoadLoRAAdapterRequest: Sendable, Equatable, Decodable {
    public var loraName: String?
    public var loraPath: String?

    public init(loraName: String?, loraPath: String?) {
        self.loraName = loraName
        self.loraPath = loraPath
    }

    enum CodingKeys: String, CodingKey {
        case loraName = "lora_name"
        case loraPath = "lora_path"
    }

    /// The name and path, or vLLM's 400 "Both 'lora_name' and 'lora_path' must be provided."
    public func validated() throws(OpenAIRequestError) -> (name: String, path: String) {
        guard let loraName, !loraName.isEmpty, let loraPath, !loraPath.isEmpty else {
            throw .invalidValue(
                field: loraName?.isEmpty == false ? "lora_path" : "lora_name",
                detail: "Both 'lora_name' and 'lora_path' must be provided.")
        }
        return (loraName, loraPath)
    }
}
