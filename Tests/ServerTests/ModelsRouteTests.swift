// `/v1/models` against FakeEngine; oracle: formats-and-api.md §A.7 and vLLM's `test_static_lora_lineage`
// (base first with `parent: null` and `max_model_len`; adapters with `root` = path, `parent` = base).

import Foundation
import HummingbirdTesting
import Server
import Testing

@Suite struct ModelsRouteTests {
    /// Oracle: §A.7 ModelList / ModelCard fields and lineage.
    @Test func listsBaseThenAdaptersWithParent() async throws {
        let server = TestServer()
        let response = try await server.run { client in try await client.get("/v1/models") }
        #expect(response.status == .ok)
        #expect(response.json["object"] as? String == "list")
        let data = try #require(response.json["data"] as? [[String: Any]])
        #expect(data.compactMap { $0["id"] as? String } == [FakeEngine.baseName, "sql"])
        #expect(data.allSatisfy { $0["object"] as? String == "model" && $0["owned_by"] as? String == "slora" })
        #expect(isJSONNull(data[0]["parent"]))
        #expect(data[0]["root"] as? String == "/models/base")
        #expect(data[0]["max_model_len"] as? Int == 64)
        #expect(data[1]["parent"] as? String == FakeEngine.baseName)
        #expect(data[1]["root"] as? String == "/adapters/sql")
        #expect(data[1]["max_model_len"] == nil)
        #expect(data[1]["created"] as? Int == 1_700_000_001)
    }

    /// Oracle: vLLM `test_retrieve_unknown_model` → 404 "does not exist"; retrieving a LoRA returns its card.
    @Test func retrievesOneModelOr404() async throws {
        let server = TestServer()
        let (found, missing) = try await server.run { client in
            (try await client.get("/v1/models/sql"), try await client.get("/v1/models/nope"))
        }
        #expect(found.status == .ok)
        #expect(found.json["id"] as? String == "sql")
        #expect(missing.status == .notFound)
        #expect(missing.error["type"] as? String == "not_found_error")
        #expect((missing.error["message"] as? String)?.contains("does not exist") == true)
    }
}
