// Prometheus metrics of `slora serve`, named as vLLM names them so existing dashboards work
// (formats-and-api.md §D.1). The server records what it sees per request (tokens, TTFT, inter-token time,
// end-to-end latency, outcomes); the gauges are copied from ``EngineStats`` on each scrape. The registry
// is passed in: library code never touches a global metrics system.

import Foundation
import OpenAIAPI
import Prometheus
import Synchronization

// MARK: - ServerMetrics

/// The server's instruments over one ``PrometheusCollectorRegistry``.
public final class ServerMetrics: Sendable {
    /// The registry the instruments live in (may be shared with other subsystems).
    public let registry: PrometheusCollectorRegistry
    /// `[("model_name", served name), ("engine", "0")]`, vLLM's labels.
    private let baseLabels: [(String, String)]
    private let promptTokens: Counter
    private let generationTokens: Counter
    private let timeToFirstToken: ValueHistogram
    private let timePerOutputToken: ValueHistogram
    private let endToEndLatency: ValueHistogram
    private let running: Gauge
    private let waiting: Gauge
    private let kvCacheUsage: Gauge
    private let poolPages: Gauge
    private let poolUsedPages: Gauge
    private let poolAdapterPages: Gauge
    private let liveRequests: Gauge
    private let preemptions: Gauge
    /// The current `vllm:lora_requests_info` series; replaced when its labels change.
    private let adapterInfo = Mutex<AdapterInfoSeries?>(nil)

    /// vLLM's TTFT buckets, seconds.
    static let firstTokenBuckets = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
        80.0, 160.0, 640.0, 2560.0,
    ]
    /// vLLM's time-per-output-token buckets, seconds.
    static let perTokenBuckets = [
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
    ]
    /// vLLM's request-latency buckets, seconds.
    static let latencyBuckets = [
        0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
        960.0, 1920.0, 7680.0,
    ]

    /// Registers the instruments in `registry`, labelled with `modelName`.
    public init(registry: PrometheusCollectorRegistry, modelName: String) {
        self.registry = registry
        let labels = [("model_name", modelName), ("engine", "0")]
        baseLabels = labels
        promptTokens = registry.makeCounter(
            name: "vllm:prompt_tokens_total", labels: labels, help: "Number of prefill tokens processed.")
        generationTokens = registry.makeCounter(
            name: "vllm:generation_tokens_total", labels: labels, help: "Number of generation tokens processed.")
        timeToFirstToken = registry.makeValueHistogram(
            name: "vllm:time_to_first_token_seconds", labels: labels, buckets: Self.firstTokenBuckets,
            help: "Histogram of time to first token in seconds.")
        timePerOutputToken = registry.makeValueHistogram(
            name: "vllm:time_per_output_token_seconds", labels: labels, buckets: Self.perTokenBuckets,
            help: "Histogram of time per output token in seconds.")
        endToEndLatency = registry.makeValueHistogram(
            name: "vllm:e2e_request_latency_seconds", labels: labels, buckets: Self.latencyBuckets,
            help: "Histogram of e2e request latency in seconds.")
        running = registry.makeGauge(
            name: "vllm:num_requests_running", labels: labels, help: "Number of requests in model execution batches.")
        waiting = registry.makeGauge(
            name: "vllm:num_requests_waiting", labels: labels, help: "Number of requests waiting to be processed.")
        kvCacheUsage = registry.makeGauge(
            name: "vllm:kv_cache_usage_perc", labels: labels, help: "KV-cache usage. 1 means 100 percent usage.")
        poolPages = registry.makeGauge(
            name: "slora:pool_pages_total", labels: labels, help: "Pages of the unified KV-cache + adapter pool.")
        poolUsedPages = registry.makeGauge(
            name: "slora:pool_pages_used", labels: labels, help: "Pool pages in use (KV and resident adapters).")
        poolAdapterPages = registry.makeGauge(
            name: "slora:pool_adapter_pages", labels: labels, help: "Pool pages held by resident adapters.")
        liveRequests = registry.makeGauge(
            name: "slora:live_requests", labels: labels, help: "Requests admitted and not yet ended.")
        preemptions = registry.makeGauge(
            name: "vllm:num_preemptions_total", labels: labels, help: "Cumulative number of preemptions.")
    }

    // MARK: - Per-request recording

    /// Time from arrival to the first generated token.
    func recordFirstToken(after seconds: Double) {
        timeToFirstToken.record(seconds)
    }

    /// Time between two consecutive generated tokens of one request.
    func recordInterToken(_ seconds: Double) {
        timePerOutputToken.record(seconds)
    }

    /// A request that finished normally.
    func recordFinished(reason: FinishReason, usage: Usage, endToEndSeconds: Double) {
        promptTokens.increment(by: Int64(usage.promptTokens))
        generationTokens.increment(by: Int64(usage.completionTokens))
        endToEndLatency.record(endToEndSeconds)
        registry.makeCounter(
            name: "vllm:request_success_total", labels: baseLabels + [("finished_reason", reason.rawValue)],
            help: "Count of successfully processed requests."
        ).increment()
    }

    /// A request refused before generation (`queue_full`, `draining`, ...), as vLLM's
    /// `admission_rejections_total{reason}`.
    func recordRejection(reason: String) {
        registry.makeCounter(
            name: "vllm:admission_rejections_total", labels: baseLabels + [("reason", reason)],
            help: "Requests rejected at admission."
        ).increment()
    }

    /// One HTTP response, as the FastAPI instrumentator vLLM uses counts them (`status` is "2xx", ...).
    func recordHTTPResponse(handler: String, method: String, status: Int) {
        registry.makeCounter(
            name: "http_requests_total",
            labels: [("handler", handler), ("method", method), ("status", "\(status / 100)xx")],
            help: "Total number of requests by method, status and handler."
        ).increment()
    }

    // MARK: - Engine gauges

    /// Copies an engine snapshot into the gauges. `vllm:lora_requests_info` is an info-style series whose
    /// labels carry the adapter lists and whose value is the update time, as in vLLM.
    public func update(with stats: EngineStats, now: Date = Date()) {
        running.set(Double(stats.runningRequestCount))
        waiting.set(Double(stats.waitingRequestCount))
        kvCacheUsage.set(min(max(stats.kvCacheUsage, 0), 1))
        poolPages.set(Double(stats.pageCount))
        poolUsedPages.set(Double(stats.usedPageCount))
        poolAdapterPages.set(Double(stats.adapterPageCount))
        liveRequests.set(Double(stats.liveRequestCount))
        preemptions.set(Double(stats.preemptionCount))
        let labels = AdapterInfoLabels(
            maxLoRA: String(stats.maxAdaptersPerBatch), running: stats.runningAdapters.joined(separator: ","),
            waiting: stats.waitingAdapters.joined(separator: ","))
        adapterInfo.withLock { series in
            if series?.labels != labels {
                if let old = series?.gauge { registry.unregisterGauge(old) }
                let gauge = registry.makeGauge(
                    name: "vllm:lora_requests_info", labels: labels.pairs, help: "Running stats on lora requests.")
                series = AdapterInfoSeries(labels: labels, gauge: gauge)
            }
            series?.gauge.set(now.timeIntervalSince1970)
        }
    }

    /// The Prometheus text exposition of the whole registry.
    public func exposition() -> String {
        registry.emitToString()
    }
}

// MARK: - Adapter info series

/// Label values of `vllm:lora_requests_info`.
private struct AdapterInfoLabels: Equatable {
    var maxLoRA: String
    var running: String
    var waiting: String

    var pairs: [(String, String)] {
        [("max_lora", maxLoRA), ("running_lora_adapters", running), ("waiting_lora_adapters", waiting)]
    }
}

private struct AdapterInfoSeries: Sendable {
    var labels: AdapterInfoLabels
    var gauge: Gauge
}
