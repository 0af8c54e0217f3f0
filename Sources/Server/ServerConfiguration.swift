// Settings of the HTTP edge that `slora serve` fills from its command line. Engine settings (context
// length, pool size, adapters) belong to the engine, not here.

// MARK: - ServerConfiguration

/// Configuration for ``buildApplication(engine:configuration:metrics:drain:services:logger:)``.
public struct ServerConfiguration: Sendable, Equatable {
    /// Address to bind.
    public var host: String
    /// Port to bind (vLLM's default is 8000).
    public var port: Int
    /// When set, every `/v1` route requires `Authorization: Bearer <apiKey>`; `/health` and `/metrics`
    /// stay open.
    public var apiKey: String?
    /// The base model's name: echoed as `model` when a request omits it, and the `model_name` metric label.
    public var servedModelName: String
    /// Largest accepted request body; larger bodies get 413.
    public var maxBodyByteCount: Int
    /// Most generation requests in flight (queued or running) at once; further ones get 503 with
    /// `retry-after`. nil: no limit at the HTTP edge (the engine may still answer `queueFull`).
    public var maxInFlightRequests: Int?
    /// The `retry-after` seconds sent when the edge itself sheds load.
    public var retryAfterSeconds: Int
    /// Serve `POST /v1/load_lora_adapter` and `/v1/unload_lora_adapter` (vLLM gates them behind
    /// `VLLM_ALLOW_RUNTIME_LORA_UPDATING`).
    public var allowRuntimeAdapterUpdates: Bool
    /// Sent as the `server` response header; nil sends none.
    public var serverName: String?

    public init(
        host: String = "127.0.0.1", port: Int = 8000, apiKey: String? = nil, servedModelName: String,
        maxBodyByteCount: Int = 4 * 1024 * 1024, maxInFlightRequests: Int? = nil, retryAfterSeconds: Int = 1,
        allowRuntimeAdapterUpdates: Bool = true, serverName: String? = "slora"
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.servedModelName = servedModelName
        self.maxBodyByteCount = maxBodyByteCount
        self.maxInFlightRequests = maxInFlightRequests
        self.retryAfterSeconds = retryAfterSeconds
        self.allowRuntimeAdapterUpdates = allowRuntimeAdapterUpdates
        self.serverName = serverName
    }
}
