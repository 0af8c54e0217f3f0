// The argument list of one kernel launch: each value copied into its own 8-byte slot, and the array of
// slot pointers that cuLaunchKernel's `kernelParams` wants. Kernel parameters in slora are scalars and
// device pointers only (no structs), so 8 bytes per slot always suffice and keep natural alignment.

/// Arguments in kernel-parameter order.
///
/// ```swift
/// var args = KernelArguments()
/// args.pointer(x.address); args.int32(width); args.float(eps)
/// try kernel.launch(grid: (rows, 1, 1), block: (256, 1, 1), stream: stream, arguments: args)
/// ```
public struct KernelArguments: Sendable {
    /// One 8-byte slot per argument, little-endian (a 4-byte value sits in the low bytes).
    private(set) var slots: [UInt64] = []

    public init() {}

    public var count: Int { slots.count }

    /// A device pointer (`T*` in the kernel).
    public mutating func pointer(_ address: CUdeviceptr) { slots.append(address) }
    /// `int`.
    public mutating func int32(_ value: Int) {
        precondition(value >= Int(Int32.min) && value <= Int(Int32.max), "kernel argument \(value) does not fit in an int")
        slots.append(UInt64(UInt32(bitPattern: Int32(value))))
    }
    /// `long long`.
    public mutating func int64(_ value: Int) { slots.append(UInt64(bitPattern: Int64(value))) }
    /// `unsigned long long`.
    public mutating func uint64(_ value: UInt64) { slots.append(value) }
    /// `float`.
    public mutating func float(_ value: Float) { slots.append(UInt64(value.bitPattern)) }
    /// `double`.
    public mutating func double(_ value: Double) { slots.append(value.bitPattern) }

    /// Calls `body` with `void**` pointing at each slot (valid only during the call; the driver copies
    /// the values when the launch is queued or captured).
    func withParameterArray<R>(_ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> R) -> R {
        var copy = slots
        return copy.withUnsafeMutableBufferPointer { values in
            let pointers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(values.count, 1))
            defer { pointers.deallocate() }
            for i in 0..<values.count { pointers[i] = UnsafeMutableRawPointer(values.baseAddress! + i) }
            return body(values.isEmpty ? nil : pointers)
        }
    }
}
