// Where runtime adapter loads may read from. With an adapter root (`--adapter-root DIR`), a load path
// must stay inside it: `..` components, absolute paths elsewhere and symlinks that resolve outside are
// refused before anything is opened. Without a root any existing directory may be loaded (vLLM's rule).

import Foundation

/// Resolves and checks the `lora_path` of a runtime load.
public struct AdapterPathPolicy: Sendable, Equatable {
    /// The root with symlinks resolved, nil when loads are unrestricted.
    public let root: URL?

    /// - Parameter root: the adapter root directory, or nil for no restriction.
    public init(root: String?) {
        self.root = root.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() }
    }

    /// The directory to load for `path`: relative paths are taken from the root (or the working
    /// directory without one).
    public func resolve(_ path: String) throws(AdapterRegistrationError) -> URL {
        guard !path.isEmpty else { throw .pathNotFound(path: path) }
        let candidate: URL
        if let root {
            guard !path.split(separator: "/").contains("..") else {
                throw .outsideRoot(path: path, root: root.path)
            }
            candidate =
                path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
            guard Self.isInside(candidate.standardizedFileURL, root) else { throw .outsideRoot(path: path, root: root.path) }
        } else {
            candidate = URL(fileURLWithPath: path)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw .pathNotFound(path: path) }
        let resolved = candidate.standardizedFileURL.resolvingSymlinksInPath()
        if let root, !Self.isInside(resolved, root) { throw .outsideRoot(path: path, root: root.path) }
        return resolved
    }

    /// Whether `url` is `root` or below it, comparing whole path components.
    private static func isInside(_ url: URL, _ root: URL) -> Bool {
        let components = url.pathComponents
        let rootComponents = root.pathComponents
        return components.count >= rootComponents.count && Array(components.prefix(rootComponents.count)) == rootComponents
    }
}
