// Device memory owned by a Swift object: cuMemAlloc_v2 in init, cuMemFree_v2 in deinit.

/// `byteCount` bytes of device memory (256-byte aligned, as cuMemAlloc guarantees).
public final class DeviceAllocation: @unchecked Sendable {
    public let context: CUDAContext
    public let address: CUdeviceptr
    public let byteCount: Int

    /// - Throws: `CUDAError.driver` (`CUDA_ERROR_OUT_OF_MEMORY` when the device is full).
    public init(context: CUDAContext, byteCount: Int) throws(CUDAError) {
        self.context = context
        self.byteCount = max(byteCount, 1)
        var address: CUdeviceptr = 0
        try context.driver.check(context.driver.cuMemAlloc(&address, self.byteCount), "cuMemAlloc_v2")
        self.address = address
    }

    deinit { _ = context.driver.cuMemFree(address) }
}

/// Page-locked host memory (cuMemHostAlloc), so copies to and from it run asynchronously.
public final class PinnedHostBuffer: @unchecked Sendable {
    public let context: CUDAContext
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int

    public init(context: CUDAContext, byteCount: Int) throws(CUDAError) {
        self.context = context
        self.byteCount = max(byteCount, 1)
        var pointer: UnsafeMutableRawPointer?
        try context.driver.check(context.driver.cuMemHostAlloc(&pointer, self.byteCount, 0), "cuMemHostAlloc")
        guard let pointer else { throw context.driver.error(2, function: "cuMemHostAlloc") }
        self.pointer = pointer
    }

    deinit { _ = context.driver.cuMemFreeHost(pointer) }
}
