// `/metrics` after traffic against FakeEngine; oracle: the vLLM metric names and labels of
// formats-and-api.md §D.1 (counters with `_total`, histograms, gauges from the engine snapshot,
// `vllm:lora_requests_info` labels).

import Foundation
import HummingbirdTesting
import OpenAIAPI
import Server
import Testing

@Suite struct MetricsRouteTests {
    /// Oracle: §D.1 names/labels (plus slora's pool gauges, copied from the stats); values follow from the
    /// fake's usage (prompt 6 chars, 4 tokens).
    @Test func exposesVLLMMetrics() async throws {
        let server = TestServer()
        server.engine.state.withLock {
            $0.stats = EngineStats(
                runningRequestCount: 2, waitingRequestCount: 3, kvCacheUsage: 0.25, runningAdapters: ["sql", "chat"],
                waitingAdapters: [], maxAdaptersPerBatch: 4, pageCount: 512, usedPageCount: 100, adapterPageCount: 40,
                liveRequestCount: 5, preemptionCount: 7)
        }
        let response = try await server.run { client in
            _ = try await client.post("/v1/completions", json: #"{"prompt": "Say hi"}"#)
            _ = try await client.post("/v1/completions", json: #"{"model": "nope", "prompt": "x"}"#)
            return try await client.get("/metrics")
        }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        let text = response.text
        let labels = #"model_name="base-model",engine="0""#
        for line in [
            "vllm:prompt_tokens_total{\(labels)} 6",
            "vllm:generation_tokens_total{\(labels)} 4",
            "vllm:request_success_total{\(labels),finished_reason=\"length\"} 1",
            "vllm:admission_rejections_total{\(labels),reason=\"unknown_model\"} 1",
            "vllm:time_to_first_token_seconds_count{\(labels)} 1",
            "vllm:time_per_output_token_seconds_count{\(labels)} 3",
            "vllm:e2e_request_latency_seconds_count{\(labels)} 1",
            "vllm:num_requests_running{\(labels)} 2.0",
            "vllm:num_requests_waiting{\(labels)} 3.0",
            "vllm:kv_cache_usage_perc{\(labels)} 0.25",
            "vllm:num_preemptions_total{\(labels)} 7.0",
            "slora:pool_pages_total{\(labels)} 512.0",
            "slora:pool_pages_used{\(labels)} 100.0",
            "slora:pool_adapter_pages{\(labels)} 40.0",
            "slora:live_requests{\(labels)} 5.0",
            #"http_requests_total{handler="/v1/completions",method="POST",status="2xx"} 1"#,
            #"http_requests_total{handler="/v1/completions",method="POST",status="4xx"} 1"#,
        ] {
            #expect(text.contains(line + "\n"), "missing \(line)")
        }
        #expect(text.contains(#"vllm:lora_requests_info{max_lora="4",running_lora_adapters="sql,chat",waiting_lora_adapters=""} "#))
    }

    /// Oracle: §D.1 — `lora_requests_info` is one info series; a change of adapters replaces it.
    @Test func adapterInfoSeriesIsReplaced() async throws {
        let server = TestServer()
        server.metrics.update(with: EngineStats(runningAdapters: ["a"], maxAdaptersPerBatch: 2))
        server.metrics.update(with: EngineStats(runningAdapters: ["b"], maxAdaptersPerBatch: 2))
        let text = server.metrics.exposition()
        #expect(!text.contains(#"running_lora_adapters="a""#))
        #expect(text.contains(#"running_lora_adapters="b""#))
    }
}
