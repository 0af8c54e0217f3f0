// `POST /v1/load_lora_adapter` and `POST /v1/unload_lora_adapter` with vLLM's bodies, statuses and plain
// text success messages (formats-and-api.md §A.9): clients check for "success" in the body.

import Hummingbird
import OpenAIAPI

// MARK: - AdaptersController

/// Runtime adapter loading and unloading.
struct AdaptersController: Sendable {
    let engine: any InferenceEngine
    let configuration: ServerConfiguration

    /// Routes relative to `/v1`.
    var endpoints: RouteCollection<ServerRequestContext> {
        let routes = RouteCollection(context: ServerRequestContext.self)
        routes.post("load_lora_adapter", use: load)
        routes.post("unload_lora_adapter", use: unload)
        return routes
    }

    @Sendable func load(request: Request, context: ServerRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeOpenAI(
            LoadLoRAAdapterRequest.self, knownFields: ["lora_name", "lora_path", "load_inplace"],
            limit: configuration.maxBodyByteCount, context: context)
        let adapter: (name: String, path: String)
        do {
            adapter = try body.validated()
        } catch {
            throw OpenAIError.invalidRequest(error)
        }
        do {
            try await engine.loadAdapter(name: adapter.name, path: adapter.path)
        } catch {
            context.logger.warning("Loading adapter '\(adapter.name)' from \(adapter.path) failed: \(error)")
            throw OpenAIError(error)
        }
        context.logger.info("Loaded adapter '\(adapter.name)' from \(adapter.path)")
        return Self.text("Success: LoRA adapter '\(adapter.name)' added successfully.")
    }

    @Sendable func unload(request: Request, context: ServerRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeOpenAI(
            UnloadLoRAAdapterRequest.self, knownFields: ["lora_name", "lora_int_id"],
            limit: configuration.maxBodyByteCount, context: context)
        let name: String
        do {
            name = try body.validated()
        } catch {
            throw OpenAIError.invalidRequest(error)
        }
        do {
            try await engine.unloadAdapter(name: name)
        } catch {
            context.logger.warning("Unloading adapter '\(name)' failed: \(error)")
            throw OpenAIError(error)
        }
        context.logger.info("Unloaded adapter '\(name)'")
        return Self.text("Success: LoRA adapter '\(name)' removed successfully.")
    }

    static func text(_ message: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
