// gpu-check's results: rows of a table per section, written as JSON (machine-readable) and markdown
// (the closing note's tables) into the --out folder, and a pass/fail verdict.

import Foundation

/// One section of a gpu-check run (parity, fixtures, midsize, speed).
final class CheckReport {
    let name: String
    let columns: [String]
    private(set) var rows: [[String]] = []
    private(set) var records: [[String: Any]] = []
    private(set) var failures: [String] = []
    var notes: [String] = []
    var metadata: [String: Any] = [:]

    init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }

    /// Adds a table row (`cells` in column order) and its JSON record; a failed row is listed.
    func add(_ cells: [String], record: [String: Any], passed: Bool = true) {
        precondition(cells.count == columns.count, "\(name): \(cells.count) cells for \(columns.count) columns")
        rows.append(cells)
        var record = record
        record["passed"] = passed
        records.append(record)
        if !passed { failures.append(cells.joined(separator: " | ")) }
        // Progress on stderr, so a crash still shows how far a check got.
        FileHandle.standardError.write(Data("[\(name)] \(passed ? "ok  " : "FAIL") \(cells.joined(separator: " | "))\n".utf8))
    }

    func fail(_ message: String) {
        failures.append(message)
        FileHandle.standardError.write(Data("[\(name)] FAIL \(message)\n".utf8))
    }

    var passed: Bool { failures.isEmpty }

    var markdown: String {
        var text = "## \(name)\n\n"
        for note in notes { text += note + "\n\n" }
        text += "| " + columns.joined(separator: " | ") + " |\n"
        text += "|" + String(repeating: "---|", count: columns.count) + "\n"
        for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
        text += "\n**\(passed ? "PASS" : "FAIL")**"
        if !failures.isEmpty { text += " (\(failures.count) failing)\n\n" + failures.map { "- \($0)" }.joined(separator: "\n") }
        return text + "\n"
    }

    var json: [String: Any] {
        ["section": name, "passed": passed, "rows": records, "failures": failures, "notes": notes, "metadata": metadata]
    }

    /// Writes `<name>.json` and `<name>.md` into `directory`.
    func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: directory.appendingPathComponent("\(name).json"))
        try Data(markdown.utf8).write(to: directory.appendingPathComponent("\(name).md"))
    }
}

/// Number formatting for tables.
enum CheckFormat {
    static func sci(_ x: Double) -> String { String(format: "%.2e", x) }
    static func fixed(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
}
