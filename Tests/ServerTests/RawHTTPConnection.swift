// A bare TCP client for the live-server tests: it sends one HTTP/1.1 request and can hang up mid-response,
// which HummingbirdTesting's clients cannot do. Every blocking socket call runs on its own thread (the
// async wrappers below), never on Swift's cooperative pool, which the server's handlers need.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - RawHTTPConnection

/// One TCP connection to 127.0.0.1, used by one test at a time.
final class RawHTTPConnection: @unchecked Sendable {
    private var descriptor: Int32

    /// Connects to `127.0.0.1:port` off the cooperative pool.
    static func open(port: Int) async throws -> RawHTTPConnection {
        try await onThread { try RawHTTPConnection(port: port) }
    }

    /// Sends a POST with a JSON body, off the cooperative pool.
    func post(path: String, json: String) async throws {
        try await Self.onThread { try self.sendPOST(path: path, json: json) }
    }

    /// Reads until `marker` arrives, off the cooperative pool.
    func receive(until marker: String) async throws -> String {
        try await Self.onThread { try self.read(until: marker) }
    }

    /// Reads until the server closes the connection, off the cooperative pool.
    func receiveAll() async throws -> String {
        try await Self.onThread { try self.readToEnd() }
    }

    /// Runs a blocking `body` on a new thread.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Connects to `127.0.0.1:port` (blocking).
    private init(port: Int) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw ConnectionError.socket }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            closeSocket(descriptor)
            throw ConnectionError.connect
        }
    }

    deinit {
        hangUp()
    }

    /// Sends a POST with a JSON body (blocking).
    private func sendPOST(path: String, json: String) throws {
        let body = Array(json.utf8)
        let head = "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        let bytes = Array(head.utf8) + body
        let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw ConnectionError.send }
    }

    /// Reads until `marker` has been received (blocking).
    private func read(until marker: String) throws -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ConnectionError.closed }
            received += chunk[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads until the server closes the connection (blocking).
    private func readToEnd() throws -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Closes the connection; idempotent.
    func hangUp() {
        if descriptor >= 0 { closeSocket(descriptor) }
        descriptor = -1
    }

    enum ConnectionError: Error {
        case socket, connect, send, closed
    }
}

private func closeSocket(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
