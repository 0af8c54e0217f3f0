// Tests of the `--adapter-root` bound on runtime loads: inside paths resolve; `..`, absolute paths
// elsewhere and symlinks that leave the root are refused; missing paths are "not found".

import Engine
import Foundation
import Testing

@Suite("Adapter root")
struct AdapterPathPolicyTests {
    /// A temporary root with `good/`, a symlink `inner` → `good`, a symlink `escape` → a directory
    /// outside the root, and that outside directory.
    static func makeTree() throws -> (root: URL, outside: URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("slora-root-\(UUID().uuidString)")
        let root = base.appendingPathComponent("root")
        let outside = base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("good"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("inner"), withDestinationURL: root.appendingPathComponent("good"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("escape"), withDestinationURL: outside)
        return (root, outside)
    }

    /// Oracle: the rule as specified (issue 4 item 4) on a real directory tree with symlinks.
    @Test func pathsAreBoundedByTheRoot() throws {
        let (root, outside) = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let policy = AdapterPathPolicy(root: root.path)
        let resolvedRoot = root.resolvingSymlinksInPath().path
        #expect(try policy.resolve("good").path == resolvedRoot + "/good")
        #expect(try policy.resolve(root.path + "/good").path == resolvedRoot + "/good")
        #expect(try policy.resolve("inner").path == resolvedRoot + "/good")
        for bad in ["../outside", "good/../good", "escape", outside.path, "/etc"] {
            #expect(throws: AdapterRegistrationError.self, "\(bad)") { try policy.resolve(bad) }
            do {
                _ = try policy.resolve(bad)
            } catch {
                guard case .outsideRoot = error else {
                    Issue.record("\(bad): \(error)")
                    continue
                }
            }
        }
        #expect(throws: AdapterRegistrationError.pathNotFound(path: "missing")) { try policy.resolve("missing") }
        // Without a root any existing directory loads.
        #expect(try AdapterPathPolicy(root: nil).resolve(outside.path).lastPathComponent == "outside")
    }
}
