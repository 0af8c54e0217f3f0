// Why loading or unloading an adapter failed (formats-and-api.md §A.9 maps each to vLLM's status:
// duplicate 400, path not found 404, invalid files 400, unload unknown 404).

// MARK: - AdapterLoadError

/// A failure of ``InferenceEngine/loadAdapter(name:path:)`` or ``InferenceEngine/unloadAdapter(name:)``.
public enum AdapterLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An adapter with this name is already served → 400.
    case alreadyLoaded(name: String)
    /// The name is the base model's → 400.
    case nameTaken(name: String)
    /// Unload of a name that is not served → 404.
    case notLoaded(name: String)
    /// No adapter directory at the path → 404.
    case pathNotFound(path: String)
    /// The directory holds no usable adapter: bad JSON, rank above the maximum, DoRA, zero matching
    /// modules, shape mismatch → 400, with the reason.
    case invalidAdapter(name: String, reason: String)
    /// The engine could not complete the operation (pool exhausted, engine failed) → 500.
    case engineFailure(reason: String)

    public var description: String {
        switch self {
        case .alreadyLoaded(let name): "The lora adapter '\(name)' has already been loaded."
        case .nameTaken(let name): "'\(name)' is the name of the base model and cannot name an adapter."
        case .notLoaded(let name): "The lora adapter '\(name)' cannot be found."
        case .pathNotFound(let path): "No adapter found at '\(path)'."
        case .invalidAdapter(let name, let reason): "Loading lora adapter '\(name)' failed: \(reason)"
        case .engineFailure(let reason): "The engine could not update adapters: \(reason)"
        }
    }
}
