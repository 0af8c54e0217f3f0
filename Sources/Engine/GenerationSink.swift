// Where the engine thread delivers one request's events: closures over the request's stream
// continuation (possibly mapping events into the caller's own types). Called only from the engine
// thread, in order: any number of `yield`, then exactly one of `finish` or `fail`.

/// The output end of one request.
public struct GenerationSink: Sendable {
    public let yield: @Sendable (GenerationEvent) -> Void
    /// Ends the stream normally (after the `.finished` event).
    public let finish: @Sendable () -> Void
    /// Ends the stream with an error.
    public let fail: @Sendable (GenerationFailure) -> Void

    public init(
        yield: @escaping @Sendable (GenerationEvent) -> Void, finish: @escaping @Sendable () -> Void,
        fail: @escaping @Sendable (GenerationFailure) -> Void
    ) {
        self.yield = yield
        self.finish = finish
        self.fail = fail
    }

    /// A sink into `continuation`, mapping events with `event` and failures with `failure`.
    public static func into<Element: Sendable>(
        _ continuation: AsyncThrowingStream<Element, any Error>.Continuation,
        event: @escaping @Sendable (GenerationEvent) -> Element,
        failure: @escaping @Sendable (GenerationFailure) -> any Error
    ) -> GenerationSink {
        GenerationSink(
            yield: { continuation.yield(event($0)) }, finish: { continuation.finish() },
            fail: { continuation.finish(throwing: failure($0)) })
    }
}
