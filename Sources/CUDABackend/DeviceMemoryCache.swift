// A caching allocator for activation-sized device buffers: freed buffers go to a free list keyed by
// their rounded size and are handed out again, so a steady decode loop calls cuMemAlloc rarely (and
// never while a CUDA graph is being captured, once warm). Reuse is safe because all work runs in order
// on one stream. When an allocation fails for lack of memory, the cache is emptied and it is retried.

import CUDADriver

/// Free device buffers by size class. Single owner (the backend's thread).
public final class DeviceMemoryCache: @unchecked Sendable {
    let context: CUDAContext
    private var free: [Int: [DeviceAllocation]] = [:]
    /// Bytes sitting in free lists.
    public private(set) var cachedBytes = 0

    init(context: CUDAContext) { self.context = context }

    /// The size class of a request: at least 256 bytes, rounded up to a quarter of its power of two
    /// (so at most 25 % is wasted).
    static func sizeClass(_ bytes: Int) -> Int {
        let n = max(bytes, 256)
        let power = Int.bitWidth - (n - 1).leadingZeroBitCount  // 2^power ≥ n
        let step = max(1 << max(power - 3, 0), 256)
        return (n + step - 1) / step * step
    }

    /// A buffer of at least `bytes` bytes (contents undefined).
    func allocate(bytes: Int) throws(CUDAError) -> DeviceAllocation {
        let size = Self.sizeClass(bytes)
        if var list = free[size], let allocation = list.popLast() {
            free[size] = list
            cachedBytes -= size
            return allocation
        }
        do {
            return try DeviceAllocation(context: context, byteCount: size)
        } catch let error where error.isOutOfMemory {
            releaseAll()
            return try DeviceAllocation(context: context, byteCount: size)
        }
    }

    /// Takes back a buffer from `allocate` for reuse.
    func recycle(_ allocation: DeviceAllocation) {
        free[allocation.byteCount, default: []].append(allocation)
        cachedBytes += allocation.byteCount
    }

    /// Frees every cached buffer.
    public func releaseAll() {
        free.removeAll()
        cachedBytes = 0
    }
}
