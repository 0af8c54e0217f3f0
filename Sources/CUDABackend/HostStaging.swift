// Pinned host staging for host→device copies: two page-locked halves used in turn, each fenced by an
// event, so a copy is asynchronous and a half is never overwritten while the GPU still reads it.

import CUDADriver
import Foundation

/// Double-buffered pinned staging. Single owner (the backend).
final class HostStaging {
    let context: CUDAContext
    private let buffers: [PinnedHostBuffer]
    private let fences: [CUDAEvent]
    private var pending: [Bool]
    private var next = 0

    /// - Parameter halfBytes: size of each half (copies larger than this go through in chunks).
    init(context: CUDAContext, halfBytes: Int = 16 << 20) throws(CUDAError) {
        self.context = context
        buffers = [try PinnedHostBuffer(context: context, byteCount: halfBytes), try PinnedHostBuffer(context: context, byteCount: halfBytes)]
        fences = [try CUDAEvent(context: context, timing: false), try CUDAEvent(context: context, timing: false)]
        pending = [false, false]
    }

    /// Queues a copy of `bytes` to device `address` on `stream`; `bytes` may be reused on return.
    func copy(_ bytes: UnsafeRawBufferPointer, to address: CUdeviceptr, stream: CUDAStream) throws(CUDAError) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        let driver = context.driver
        var offset = 0
        while offset < bytes.count {
            let i = next
            next = 1 - next
            if pending[i] {
                try fences[i].synchronize()
                pending[i] = false
            }
            let n = min(buffers[i].byteCount, bytes.count - offset)
            memcpy(buffers[i].pointer, source + offset, n)
            try driver.check(
                driver.cuMemcpyHtoDAsync(address + UInt64(offset), buffers[i].pointer, n, stream.handle), "cuMemcpyHtoDAsync_v2")
            try fences[i].record(on: stream)
            pending[i] = true
            offset += n
        }
    }
}
