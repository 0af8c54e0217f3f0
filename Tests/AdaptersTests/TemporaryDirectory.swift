// Test support: a fresh directory under the system temp folder, deleted when released, plus the
// location of the repo's Tests/Fixtures folder.

import Foundation

/// A uniquely named scratch directory, removed (with its contents) in `deinit`.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("slora-adapters-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// `Tests/Fixtures` of the repository this source file lives in (symlinks resolved).
    static func fixtures(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // AdaptersTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Fixtures", isDirectory: true)
    }
}
