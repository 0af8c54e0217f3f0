// The GPU a process computes on: the driver table, the device, and its primary context (shared with
// cuBLAS's runtime), made current on the calling thread. Opening fails with a clear CUDAError on a
// machine without the NVIDIA driver or without a GPU.

/// An opened GPU. Every other driver object holds a strong reference to it, so it outlives them.
///
/// ```swift
/// let context = try CUDAContext.open()          // throws CUDAError.libraryNotFound without a driver
/// print(context.deviceName, context.computeCapability)
/// ```
public final class CUDAContext: @unchecked Sendable {
    public let driver: DriverAPI
    /// Device ordinal.
    public let ordinal: Int
    let device: Int32
    let context: OpaquePointer?
    public let deviceName: String
    /// (major, minor), e.g. (9, 0) on Hopper.
    public let computeCapability: (major: Int, minor: Int)
    public let multiprocessorCount: Int
    public let totalMemory: Int
    /// `cuDriverGetVersion`, e.g. 13000.
    public let driverVersion: Int

    private init(driver: DriverAPI, ordinal: Int) throws(CUDAError) {
        self.driver = driver
        self.ordinal = ordinal
        try driver.check(driver.cuInit(0), "cuInit")
        var count: Int32 = 0
        try driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard ordinal >= 0 && ordinal < Int(count) else { throw .noDevice(requested: ordinal, available: Int(count)) }
        var device: Int32 = 0
        try driver.check(driver.cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet")
        self.device = device
        func attribute(_ code: Int32) throws(CUDAError) -> Int {
            var value: Int32 = 0
            try driver.check(driver.cuDeviceGetAttribute(&value, code, device), "cuDeviceGetAttribute")
            return Int(value)
        }
        // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, _MINOR = 76, MULTIPROCESSOR_COUNT = 16.
        computeCapability = (try attribute(75), try attribute(76))
        multiprocessorCount = try attribute(16)
        var nameBytes = [CChar](repeating: 0, count: 256)
        try driver.check(driver.cuDeviceGetName(&nameBytes, 255, device), "cuDeviceGetName")
        deviceName = String(decoding: nameBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var bytes = 0
        try driver.check(driver.cuDeviceTotalMem(&bytes, device), "cuDeviceTotalMem_v2")
        totalMemory = bytes
        var version: Int32 = 0
        try driver.check(driver.cuDriverGetVersion(&version), "cuDriverGetVersion")
        driverVersion = Int(version)
        var context: OpaquePointer?
        try driver.check(driver.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain")
        self.context = context
        try driver.check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent")
    }

    deinit { _ = driver.cuDevicePrimaryCtxRelease(device) }

    /// Loads the driver and opens GPU `ordinal` (its primary context becomes current on this thread).
    /// - Throws: `CUDAError.libraryNotFound` when libcuda.so.1 is missing, `.noDevice` without a GPU,
    ///   `.driver` when a driver call fails.
    public static func open(ordinal: Int = 0) throws(CUDAError) -> CUDAContext {
        try CUDAContext(driver: DriverAPI.load(), ordinal: ordinal)
    }

    /// Makes the context current on the calling thread (each thread that issues CUDA calls).
    public func makeCurrent() throws(CUDAError) {
        try driver.check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent")
    }

    /// `--gpu-architecture` for NVRTC: `sm_90` on compute capability 9.0.
    public var architecture: String { "sm_\(computeCapability.major)\(computeCapability.minor)" }

    /// (free, total) device memory in bytes.
    public func memoryInfo() throws(CUDAError) -> (free: Int, total: Int) {
        var free = 0
        var total = 0
        try driver.check(driver.cuMemGetInfo(&free, &total), "cuMemGetInfo_v2")
        return (free, total)
    }

    /// One line for logs: name, capability, SMs, memory, driver.
    public var summary: String {
        "\(deviceName) (\(architecture), \(multiprocessorCount) SMs, \(totalMemory >> 20) MiB, driver \(driverVersion))"
    }
}
