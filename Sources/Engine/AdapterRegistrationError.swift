// Why loading or unloading an adapter at runtime failed. A failed load changes nothing: the name is
// published only after the adapter validated completely.

/// A failure of ``EngineLoop/loadAdapter(name:path:)`` or ``EngineLoop/unloadAdapter(name:)``.
public enum AdapterRegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An adapter of this name is served (or being loaded).
    case alreadyLoaded(name: String)
    /// The name is the base model's, or empty.
    case nameTaken(name: String)
    /// No adapter of this name is served.
    case notLoaded(name: String)
    /// Nothing at the path.
    case pathNotFound(path: String)
    /// The path leaves the adapter root (`..`, an absolute path elsewhere, a symlink pointing out).
    case outsideRoot(path: String, root: String)
    /// The directory is not a usable adapter for this model (the reason says which file and field).
    case invalid(name: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyLoaded(let name): "The lora adapter '\(name)' has already been loaded."
        case .nameTaken(let name): "'\(name)' cannot name an adapter (it is empty or the base model's name)."
        case .notLoaded(let name): "The lora adapter '\(name)' cannot be found."
        case .pathNotFound(let path): "No adapter found at '\(path)'."
        case .outsideRoot(let path, let root): "The adapter path '\(path)' is outside the adapter root '\(root)'."
        case .invalid(let name, let reason): "Loading lora adapter '\(name)' failed: \(reason)"
        }
    }
}
