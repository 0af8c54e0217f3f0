// `/v1/load_lora_adapter` and `/v1/unload_lora_adapter` against FakeEngine; oracle: formats-and-api.md
// §A.9 and vLLM's `test_serving_models.py` / `test_lora_adapters.py` cases (plain-text success, duplicate
// 400 with the registry unchanged, path not found 404, invalid files 400, unload unknown 404).

import Foundation
import HummingbirdTesting
import Server
import Testing

@Suite struct AdaptersRouteTests {
    /// Oracle: §A.9 success messages; §E.2 `test_dynamic_lora_lineage` (a loaded adapter appears last in
    /// `/v1/models` with its root and parent) and unload removing it.
    @Test func loadThenUnload() async throws {
        let server = TestServer()
        let (load, afterLoad, unload, afterUnload) = try await server.run { client in
            let load = try await client.post("/v1/load_lora_adapter", json: #"{"lora_name": "chat", "lora_path": "/adapters/chat"}"#)
            let afterLoad = try await client.get("/v1/models")
            let unload = try await client.post("/v1/unload_lora_adapter", json: #"{"lora_name": "chat"}"#)
            let afterUnload = try await client.get("/v1/models")
            return (load, afterLoad, unload, afterUnload)
        }
        #expect(load.status == .ok)
        #expect(load.text == "Success: LoRA adapter 'chat' added successfully.")
        let cards = try #require(afterLoad.json["data"] as? [[String: Any]])
        #expect(cards.last?["id"] as? String == "chat")
        #expect(cards.last?["root"] as? String == "/adapters/chat")
        #expect(cards.last?["parent"] as? String == FakeEngine.baseName)
        #expect(unload.status == .ok)
        #expect(unload.text == "Success: LoRA adapter 'chat' removed successfully.")
        #expect((afterUnload.json["data"] as? [Any])?.count == 2)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var body: String
        var status: Int
        var type: String
        var code: String
        var testDescription: String { "\(path) \(body)" }
    }

    static let errorCases: [Case] = [
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_name": "x"}"#, status: 400, type: "invalid_request_error", code: "invalid_value"),
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_path": "/a"}"#, status: 400, type: "invalid_request_error", code: "invalid_value"),
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_name": "sql", "lora_path": "/a"}"#, status: 400, type: "invalid_request_error", code: "adapter_already_loaded"),
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_name": "base-model", "lora_path": "/a"}"#, status: 400, type: "invalid_request_error", code: "adapter_name_taken"),
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_name": "y", "lora_path": "/missing/y"}"#, status: 404, type: "not_found_error", code: "adapter_path_not_found"),
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_name": "y", "lora_path": "/adapters/invalid"}"#, status: 400, type: "invalid_request_error", code: "invalid_adapter"),
        Case(path: "/v1/load_lora_adapter", body: #"{"lora_name": 3, "lora_path": "/a"}"#, status: 400, type: "invalid_request_error", code: "invalid_type"),
        Case(path: "/v1/unload_lora_adapter", body: #"{"lora_name": "nope"}"#, status: 404, type: "not_found_error", code: "adapter_not_found"),
        Case(path: "/v1/unload_lora_adapter", body: #"{"lora_name": ""}"#, status: 400, type: "invalid_request_error", code: "invalid_value"),
        Case(path: "/v1/unload_lora_adapter", body: #"{"lora_name": "base-model"}"#, status: 404, type: "not_found_error", code: "adapter_not_found"),
    ]

    /// Oracle: §A.9 error statuses; a failed load leaves `/v1/models` unchanged (§E.2 duplicate case).
    @Test(arguments: errorCases) func adapterErrors(_ testCase: Case) async throws {
        let server = TestServer()
        let (response, models) = try await server.run { client in
            (try await client.post(testCase.path, json: testCase.body), try await client.get("/v1/models"))
        }
        #expect(response.status.code == testCase.status)
        #expect(response.error["type"] as? String == testCase.type)
        #expect(response.error["code"] as? String == testCase.code)
        #expect((models.json["data"] as? [Any])?.count == 2)
    }

    /// Oracle: vLLM serves these routes only when runtime updates are allowed.
    @Test func routesAbsentWhenRuntimeUpdatesDisabled() async throws {
        let server = TestServer { $0.allowRuntimeAdapterUpdates = false }
        let response = try await server.run { client in
            try await client.post("/v1/load_lora_adapter", json: #"{"lora_name": "a", "lora_path": "/a"}"#)
        }
        #expect(response.status == .notFound)
        #expect(response.error["type"] as? String == "not_found_error")
    }
}
