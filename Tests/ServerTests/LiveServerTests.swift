// The same router on a real socket (HummingbirdTesting `.live`, raw TCP clients): non-streaming and
// streaming requests complete end to end, and say `Connection: close` because watching for disconnects
// consumes the connection's inbound side. Oracle: formats-and-api.md §A.4–§A.5 shapes and RFC 9112's
// `Connection: close` (the server closes after the response).

import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing

@Suite(.timeLimit(.minutes(1))) struct LiveServerTests {
    /// Oracle: §A.4 body and §A.5 `[DONE]` terminator over TCP, each followed by the server closing.
    @Test func requestsCompleteOverTCP() async throws {
        let engine = FakeEngine()
        let router = buildRouter(engine: engine, configuration: ServerConfiguration(servedModelName: FakeEngine.baseName))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for _ in 0..<2 {
                let plain = try await RawHTTPConnection.open(port: port)
                try await plain.post(path: "/v1/completions", json: #"{"prompt": "x"}"#)
                let plainText = try await plain.receiveAll()
                #expect(plainText.hasPrefix("HTTP/1.1 200 OK"))
                #expect(plainText.lowercased().contains("connection: close"))
                #expect(plainText.contains(#""text":"Hello world""#))

                let streamed = try await RawHTTPConnection.open(port: port)
                try await streamed.post(
                    path: "/v1/chat/completions", json: #"{"messages": [{"role": "user", "content": "x"}], "stream": true}"#)
                let streamedText = try await streamed.receiveAll()
                #expect(streamedText.hasPrefix("HTTP/1.1 200 OK"))
                #expect(streamedText.contains("data: [DONE]"))
            }
            // Other routes keep the connection open and work on the framework's keep-alive client.
            let models = try await client.get("/v1/models")
            #expect(models.status == .ok)
            #expect(try await client.get("/health").status == .ok)
        }
        #expect(engine.submitted.count == 4)
    }
}
