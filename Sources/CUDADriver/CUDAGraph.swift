// A CUDA graph captured from a stream and instantiated once, then replayed with one launch. The
// executable graph is destroyed in deinit; the template graph right after instantiation.

/// An instantiated graph (`CUgraphExec`).
public final class CUDAGraph: @unchecked Sendable {
    public let context: CUDAContext
    let exec: OpaquePointer?

    /// Records everything `body` queues on `stream` (relaxed capture mode, so allocation in `body` is
    /// allowed; `body` must not synchronize or copy to pageable host memory) and instantiates it.
    /// On any error the capture is ended and discarded before the error propagates.
    public static func capture(on stream: CUDAStream, _ body: () throws(CUDAError) -> Void) throws(CUDAError) -> CUDAGraph {
        let driver = stream.context.driver
        // CU_STREAM_CAPTURE_MODE_RELAXED = 2
        try driver.check(driver.cuStreamBeginCapture(stream.handle, 2), "cuStreamBeginCapture_v2")
        do {
            try body()
        } catch {
            var discarded: OpaquePointer?
            _ = driver.cuStreamEndCapture(stream.handle, &discarded)
            if discarded != nil { _ = driver.cuGraphDestroy(discarded) }
            throw error
        }
        var graph: OpaquePointer?
        try driver.check(driver.cuStreamEndCapture(stream.handle, &graph), "cuStreamEndCapture")
        defer { _ = driver.cuGraphDestroy(graph) }
        var exec: OpaquePointer?
        try driver.check(driver.cuGraphInstantiateWithFlags(&exec, graph, 0), "cuGraphInstantiateWithFlags")
        return CUDAGraph(context: stream.context, exec: exec)
    }

    private init(context: CUDAContext, exec: OpaquePointer?) {
        self.context = context
        self.exec = exec
    }

    deinit { _ = context.driver.cuGraphExecDestroy(exec) }

    /// Queues one replay on `stream`.
    public func launch(on stream: CUDAStream) throws(CUDAError) {
        try context.driver.check(context.driver.cuGraphLaunch(exec, stream.handle), "cuGraphLaunch")
    }
}
