// The body of `POST /v1/unload_lora_adapter` (vLLM `UnloadLoRAAdapterRequest`, formats-and-api.md §A.9):
// `{"lora_name": "sql"}`; the legacy `lora_int_id` is ignored.

// MARK: - UnloadLoRAAdapterRequest

/// A request to stop serving an adapter.
public struct UnloadLoRAAdapterRequest: Sendable, Equatable, Decodable {
    public var loraName: String?

    public init(loraName: String?) {
        self.loraName = loraName
    }

    enum CodingKeys: String, CodingKey {
        case loraName = "lora_name"
    }

    /// The name, or 400 when it is missing or empty.
    public func validated() throws(OpenAIRequestError) -> String {
        guard let loraName, !loraName.isEmpty else {
            throw .invalidValue(field: "lora_name", detail: "'lora_name' must be provided.")
        }
        return loraName
    }
}
