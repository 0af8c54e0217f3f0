// Tests of the JSONL trace format: round trips (text and file), base-model requests, ordering, and
// errors naming the line at fault.

import Foundation
import Testing
import Workload

struct WorkloadTraceTests {
    /// Oracle: round trip — a generated workload written as JSONL and read back is identical.
    @Test func roundTripThroughText() throws {
        let requests = try WorkloadGenerator.requests(
            WorkloadConfiguration(adapterCount: 50, alpha: 0.3, rate: 20, cv: 4, duration: 30, seed: 9))
        #expect(try WorkloadTrace.parse(WorkloadTrace.text(of: requests)) == requests)
    }

    /// Oracle: round trip through a file, including base-model requests (adapter null or absent).
    @Test func roundTripThroughFile() throws {
        let requests = [
            TraceRequest(arrival: 0.1, adapter: nil, promptLength: 3, outputLength: 4),
            TraceRequest(arrival: 0.30000000000000004, adapter: 12, promptLength: 511, outputLength: 8),
        ]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try WorkloadTrace.write(requests, to: url)
        #expect(try WorkloadTrace.read(from: url) == requests)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines[1] == #"{"adapter":12,"arrival":0.30000000000000004,"output_len":8,"prompt_len":511}"#)
    }

    /// Oracle: the documented format — hand-written lines with null adapters, blank lines and
    /// out-of-order arrivals parse into requests sorted by arrival.
    @Test func parsesHandWrittenTrace() throws {
        let text = """
            {"arrival": 2.5, "adapter": 1, "prompt_len": 10, "output_len": 20}

            {"arrival": 0.5, "adapter": null, "prompt_len": 7, "output_len": 1}
            {"arrival": 1, "prompt_len": 9, "output_len": 2}
            """
        let requests = try WorkloadTrace.parse(text)
        #expect(requests.map(\.arrival) == [0.5, 1, 2.5])
        #expect(requests.map(\.adapter) == [nil, nil, 1])
    }

    /// Oracle: bad input is refused with the line number, never a crash.
    @Test(arguments: [
        ("{\"arrival\": 1, \"prompt_len\": 3}", "output_len"),
        ("not json", "line 1"),
        ("{\"arrival\": -1, \"prompt_len\": 3, \"output_len\": 3}", "arrival"),
        ("{\"arrival\": 1, \"prompt_len\": 0, \"output_len\": 3}", "prompt_len"),
        ("{\"arrival\": 1, \"adapter\": \"x\", \"prompt_len\": 3, \"output_len\": 3}", "adapter"),
    ])
    func malformedLines(line: String, mentions: String) {
        let text = "{\"arrival\": 0, \"prompt_len\": 1, \"output_len\": 1}\n" + line
        do {
            _ = try WorkloadTrace.parse(text, path: "t.jsonl")
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.description.contains("line 2"))
            #expect(error.description.contains(mentions) || mentions == "line 1")
        }
    }

    /// Oracle: a missing file is a typed error naming the path.
    @Test func missingFile() {
        #expect(throws: WorkloadError.self) { try WorkloadTrace.read(from: URL(fileURLWithPath: "/nonexistent/trace.jsonl")) }
    }
}
