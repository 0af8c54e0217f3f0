// The trace file format: JSON Lines, one request per line,
// `{"arrival": 0.53, "adapter": 12, "prompt_len": 200, "output_len": 64}` (arrival in seconds after the
// start; adapter an index, null or absent for the base model). Blank lines are skipped; requests are
// returned sorted by arrival.

import Foundation

/// Reads and writes workload traces (JSONL).
public enum WorkloadTrace {
    /// Parses the JSONL text of a trace; `path` only names the file in errors.
    public static func parse(_ text: String, path: String = "<trace>") throws(WorkloadError) -> [TraceRequest] {
        let decoder = JSONDecoder()
        var requests: [TraceRequest] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let number = index + 1
            let request: TraceRequest
            do {
                request = try decoder.decode(TraceRequest.self, from: Data(trimmed.utf8))
            } catch {
                throw .malformedTraceLine(path: path, line: number, reason: Self.reason(error))
            }
            if !(request.arrival >= 0 && request.arrival.isFinite) {
                throw .malformedTraceLine(path: path, line: number, reason: "arrival must be a finite number ≥ 0")
            }
            if request.promptLength < 1 || request.outputLength < 1 {
                throw .malformedTraceLine(path: path, line: number, reason: "prompt_len and output_len must be ≥ 1")
            }
            if let adapter = request.adapter, adapter < 0 {
                throw .malformedTraceLine(path: path, line: number, reason: "adapter must be ≥ 0 or null")
            }
            requests.append(request)
        }
        // Stable: equal arrivals keep file order.
        return requests.enumerated().sorted { ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset) }.map(\.element)
    }

    /// Reads the trace at `url`.
    public static func read(from url: URL) throws(WorkloadError) -> [TraceRequest] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadableTrace(path: url.path, reason: "\(error.localizedDescription)")
        }
        return try parse(text, path: url.path)
    }

    /// The JSONL text of `requests` (one line each, keys sorted, a newline after each).
    public static func text(of requests: [TraceRequest]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ""
        for request in requests {
            // Encoding four plain fields cannot fail.
            let data = (try? encoder.encode(request)) ?? Data()
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        return out
    }

    /// Writes `requests` to `url` as JSONL.
    public static func write(_ requests: [TraceRequest], to url: URL) throws(WorkloadError) {
        do {
            try Data(text(of: requests).utf8).write(to: url, options: .atomic)
        } catch {
            throw .unreadableTrace(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted(let context): "not JSON (\(context.debugDescription))"
        default: "\(error)"
        }
    }
}
