// Device buffers of the CUDA backend: an activation tensor (f32 or the storage type, from the caching
// allocator, returned to it in deinit) and a weight matrix (its own allocation, storage type).

import Backend
import CUDADriver

/// A flat device buffer of `count` elements of `elementType`.
public final class CUDATensor: @unchecked Sendable {
    public let count: Int
    public let elementType: CUDAElementType
    let allocation: DeviceAllocation
    /// Where the allocation goes back to (nil: freed with the tensor).
    private let cache: DeviceMemoryCache?
    /// The unified pool (adapter copies on the copy stream write into it).
    let isPool: Bool

    init(count: Int, elementType: CUDAElementType, allocation: DeviceAllocation, cache: DeviceMemoryCache?, isPool: Bool = false) {
        precondition(allocation.byteCount >= count * elementType.byteSize)
        self.count = count
        self.elementType = elementType
        self.allocation = allocation
        self.cache = cache
        self.isPool = isPool
    }

    deinit { cache?.recycle(allocation) }

    /// Device address of element 0.
    public var address: CUdeviceptr { allocation.address }
    /// Device address of element `index`.
    func address(ofElement index: Int) -> CUdeviceptr { allocation.address + UInt64(index * elementType.byteSize) }
    public var byteCount: Int { count * elementType.byteSize }
}

/// A `[rows, cols]` row-major weight matrix in the backend's storage type.
public final class CUDAWeight: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    public let elementType: CUDAElementType
    let allocation: DeviceAllocation

    init(rows: Int, cols: Int, elementType: CUDAElementType, allocation: DeviceAllocation) {
        self.rows = rows
        self.cols = cols
        self.elementType = elementType
        self.allocation = allocation
    }

    public var address: CUdeviceptr { allocation.address }
    /// Bytes on the device.
    public var byteCount: Int { rows * cols * elementType.byteSize }
}
