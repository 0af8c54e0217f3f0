// The host adapter store of the CUDA backend: one adapter stream in the storage type (bf16 bits or f32),
// in page-locked memory so cuMemcpyHtoDAsync copies it to pool pages without a staging pass and without
// blocking the host. Falls back to ordinary memory (then the driver stages the copy) when pinning fails.

import CUDADriver

/// An adapter stream ready to copy into pool pages. Immutable once made.
public final class CUDAHostAdapter: @unchecked Sendable {
    /// Elements of the stream.
    public let count: Int
    public let elementType: CUDAElementType
    /// True when the bytes are page-locked (asynchronous copies).
    public let pinned: Bool
    private let pinnedBuffer: PinnedHostBuffer?
    private let pageable: UnsafeMutableRawPointer?

    /// Converts `stream` to `elementType` into pinned memory (pageable when `cuMemHostAlloc` fails).
    init(stream: [Float], elementType: CUDAElementType, context: CUDAContext) {
        count = stream.count
        self.elementType = elementType
        let bytes = max(stream.count, 1) * elementType.byteSize
        let buffer = try? PinnedHostBuffer(context: context, byteCount: bytes)
        pinnedBuffer = buffer
        pinned = buffer != nil
        let destination: UnsafeMutableRawPointer
        if let buffer {
            destination = buffer.pointer
            pageable = nil
        } else {
            destination = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            pageable = destination
        }
        stream.withUnsafeBufferPointer { source in
            switch elementType {
            case .f32:
                if let base = source.baseAddress { destination.copyMemory(from: base, byteCount: source.count * 4) }
            case .bf16:
                let out = destination.bindMemory(to: UInt16.self, capacity: max(source.count, 1))
                for i in 0..<source.count { out[i] = BFloat16.bits(source[i]) }
            }
        }
    }

    deinit { pageable?.deallocate() }

    /// Address of element 0.
    var pointer: UnsafeRawPointer { UnsafeRawPointer(pinnedBuffer?.pointer ?? pageable!) }
    /// Bytes of the stream.
    public var byteCount: Int { count * elementType.byteSize }
}
