// Errors of `slora bench serve` that are not the engine's or the workload's own.

/// Why the serving benchmark could not run.
enum ServeBenchError: Error, CustomStringConvertible {
    /// The server at `url` did not answer as expected.
    case server(url: String, reason: String)
    /// The trace names adapter `index` but only `count` exist.
    case adapterOutOfRange(index: Int, count: Int)
    /// An adapter could not be registered with the engine.
    case adapterRegistration(name: String, reason: String)

    var description: String {
        switch self {
        case .server(let url, let reason): "server \(url): \(reason)"
        case .adapterOutOfRange(let index, let count): "the workload names adapter \(index) but there are \(count)"
        case .adapterRegistration(let name, let reason): "adapter \(name): \(reason)"
        }
    }
}
