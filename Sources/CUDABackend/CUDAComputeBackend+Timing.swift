// Timing helpers for benchmarks: GPU time of queued work between two CUDA events, work captured once
// as a graph and replayed, and the device-to-device copy bandwidth (the decode step's floor).

import CUDADriver

extension CUDAComputeBackend {
    /// Milliseconds of GPU time for `iterations` runs of `body` queued back to back (after `warmup` runs).
    public func timeGPU(iterations: Int, warmup: Int = 2, _ body: () -> Void) -> Double {
        bindThread()
        do {
            for _ in 0..<warmup { body() }
            let start = try CUDAEvent(context: context)
            let end = try CUDAEvent(context: context)
            try start.record(on: stream)
            for _ in 0..<iterations { body() }
            try end.record(on: stream)
            try end.synchronize()
            return try end.milliseconds(since: start) / Double(max(iterations, 1))
        } catch {
            fail(error, "timeGPU")
        }
    }

    /// Milliseconds per run of `body` when `perGraph` runs of it are captured into one CUDA graph and the
    /// graph is replayed `replays` times (launch overhead amortized away). Throws if capture fails.
    public func timeGraph(perGraph: Int, replays: Int, _ body: () -> Void) throws(CUDAError) -> Double {
        bindThread()
        body()  // warm (lazy allocations happen outside the capture)
        let graph = try CUDAGraph.capture(on: stream) {
            for _ in 0..<perGraph { body() }
        }
        try graph.launch(on: stream)
        let start = try CUDAEvent(context: context)
        let end = try CUDAEvent(context: context)
        try start.record(on: stream)
        for _ in 0..<replays { try graph.launch(on: stream) }
        try end.record(on: stream)
        try end.synchronize()
        return try end.milliseconds(since: start) / Double(max(perGraph * replays, 1))
    }

    /// Device copy bandwidth in bytes per second, counting bytes read plus bytes written
    /// (`bytes` per buffer; the best of `iterations` copies).
    public func measureCopyBandwidth(bytes: Int = 2 << 30, iterations: Int = 10) throws(CUDAError) -> Double {
        bindThread()
        let source = try DeviceAllocation(context: context, byteCount: bytes)
        let destination = try DeviceAllocation(context: context, byteCount: bytes)
        let driver = context.driver
        let start = try CUDAEvent(context: context)
        let end = try CUDAEvent(context: context)
        var best = Double.infinity
        for i in 0..<(iterations + 2) {
            try start.record(on: stream)
            try driver.check(
                driver.cuMemcpyDtoDAsync(destination.address, source.address, bytes, stream.handle), "cuMemcpyDtoDAsync_v2")
            try end.record(on: stream)
            try end.synchronize()
            if i >= 2 { best = min(best, try end.milliseconds(since: start)) }
        }
        return 2 * Double(bytes) / (best / 1000)
    }
}
