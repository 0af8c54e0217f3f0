// A CUDA stream and a CUDA event, each freed in deinit. Everything slora's backend does runs in order
// on one stream; events time it and fence reuse of host staging buffers.

/// A non-blocking stream (does not synchronize with the legacy default stream).
public final class CUDAStream: @unchecked Sendable {
    public let context: CUDAContext
    public let handle: OpaquePointer?

    public init(context: CUDAContext) throws(CUDAError) {
        self.context = context
        var handle: OpaquePointer?
        // CU_STREAM_NON_BLOCKING = 1
        try context.driver.check(context.driver.cuStreamCreate(&handle, 1), "cuStreamCreate")
        self.handle = handle
    }

    deinit { _ = context.driver.cuStreamDestroy(handle) }

    /// Waits until all work queued on the stream has finished; reports the first asynchronous error.
    public func synchronize() throws(CUDAError) {
        try context.driver.check(context.driver.cuStreamSynchronize(handle), "cuStreamSynchronize")
    }

    /// Makes later work on this stream wait for `event`.
    public func wait(for event: CUDAEvent) throws(CUDAError) {
        try context.driver.check(context.driver.cuStreamWaitEvent(handle, event.handle, 0), "cuStreamWaitEvent")
    }
}

/// A CUDA event: a marker recorded on a stream, for timing or waiting.
public final class CUDAEvent: @unchecked Sendable {
    public let context: CUDAContext
    public let handle: OpaquePointer?

    /// - Parameter timing: false creates it with CU_EVENT_DISABLE_TIMING (cheaper fences).
    public init(context: CUDAContext, timing: Bool = true) throws(CUDAError) {
        self.context = context
        var handle: OpaquePointer?
        try context.driver.check(context.driver.cuEventCreate(&handle, timing ? 0 : 2), "cuEventCreate")
        self.handle = handle
    }

    deinit { _ = context.driver.cuEventDestroy(handle) }

    public func record(on stream: CUDAStream) throws(CUDAError) {
        try context.driver.check(context.driver.cuEventRecord(handle, stream.handle), "cuEventRecord")
    }

    public func synchronize() throws(CUDAError) {
        try context.driver.check(context.driver.cuEventSynchronize(handle), "cuEventSynchronize")
    }

    /// Milliseconds between `start` and this event (both recorded and completed).
    public func milliseconds(since start: CUDAEvent) throws(CUDAError) -> Double {
        var ms: Float = 0
        try context.driver.check(context.driver.cuEventElapsedTime(&ms, start.handle, handle), "cuEventElapsedTime")
        return Double(ms)
    }
}
