// The CUDA driver entry points slora uses, resolved from libcuda.so.1 with dlsym (versioned names as
// the library exports them: cuMemAlloc_v2, …), and `check`, which turns a CUresult into a CUDAError.
// Device pointers are passed as UInt64 (CUdeviceptr; ABI-identical to a pointer argument on x86-64 and arm64).

import Foundation

/// `CUresult`; 0 is success.
public typealias CUresult = Int32
/// `CUdeviceptr`.
public typealias CUdeviceptr = UInt64

/// The driver function table (one instance per process, owned by `CUDAContext`).
public struct DriverAPI: @unchecked Sendable {
    public typealias Handle = OpaquePointer?
    public typealias HandleOut = UnsafeMutablePointer<OpaquePointer?>
    public typealias CString = UnsafePointer<CChar>?

    let library: DynamicLibrary

    // MARK: - Initialization and devices
    public let cuInit: @convention(c) (UInt32) -> CUresult
    public let cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    public let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    public let cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> CUresult
    public let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> CUresult
    public let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> CUresult
    public let cuDeviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>, Int32) -> CUresult
    public let cuDevicePrimaryCtxRetain: @convention(c) (HandleOut, Int32) -> CUresult
    public let cuDevicePrimaryCtxRelease: @convention(c) (Int32) -> CUresult
    public let cuCtxSetCurrent: @convention(c) (Handle) -> CUresult
    public let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> CUresult
    public let cuGetErrorName: @convention(c) (CUresult, UnsafeMutablePointer<CString>) -> CUresult
    public let cuGetErrorString: @convention(c) (CUresult, UnsafeMutablePointer<CString>) -> CUresult

    // MARK: - Memory
    public let cuMemAlloc: @convention(c) (UnsafeMutablePointer<CUdeviceptr>, Int) -> CUresult
    public let cuMemFree: @convention(c) (CUdeviceptr) -> CUresult
    public let cuMemHostAlloc: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int, UInt32) -> CUresult
    public let cuMemFreeHost: @convention(c) (UnsafeMutableRawPointer?) -> CUresult
    public let cuMemcpyHtoDAsync: @convention(c) (CUdeviceptr, UnsafeRawPointer?, Int, Handle) -> CUresult
    public let cuMemcpyDtoHAsync: @convention(c) (UnsafeMutableRawPointer?, CUdeviceptr, Int, Handle) -> CUresult
    public let cuMemcpyDtoDAsync: @convention(c) (CUdeviceptr, CUdeviceptr, Int, Handle) -> CUresult
    public let cuMemsetD8Async: @convention(c) (CUdeviceptr, UInt8, Int, Handle) -> CUresult
    public let cuMemsetD16Async: @convention(c) (CUdeviceptr, UInt16, Int, Handle) -> CUresult
    public let cuMemsetD32Async: @convention(c) (CUdeviceptr, UInt32, Int, Handle) -> CUresult

    // MARK: - Streams and events
    public let cuStreamCreate: @convention(c) (HandleOut, UInt32) -> CUresult
    public let cuStreamDestroy: @convention(c) (Handle) -> CUresult
    public let cuStreamSynchronize: @convention(c) (Handle) -> CUresult
    public let cuStreamWaitEvent: @convention(c) (Handle, Handle, UInt32) -> CUresult
    public let cuEventCreate: @convention(c) (HandleOut, UInt32) -> CUresult
    public let cuEventDestroy: @convention(c) (Handle) -> CUresult
    public let cuEventRecord: @convention(c) (Handle, Handle) -> CUresult
    public let cuEventSynchronize: @convention(c) (Handle) -> CUresult
    public let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, Handle, Handle) -> CUresult

    // MARK: - Modules and launches
    public let cuModuleLoadData: @convention(c) (HandleOut, UnsafeRawPointer) -> CUresult
    public let cuModuleUnload: @convention(c) (Handle) -> CUresult
    public let cuModuleGetFunction: @convention(c) (HandleOut, Handle, UnsafePointer<CChar>) -> CUresult
    public let cuModuleGetGlobal: @convention(c) (UnsafeMutablePointer<CUdeviceptr>, UnsafeMutablePointer<Int>, Handle, UnsafePointer<CChar>) -> CUresult
    public let cuLaunchKernel: @convention(c) (
        Handle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> CUresult

    // MARK: - Graphs
    public let cuStreamBeginCapture: @convention(c) (Handle, Int32) -> CUresult
    public let cuStreamEndCapture: @convention(c) (Handle, HandleOut) -> CUresult
    public let cuGraphInstantiateWithFlags: @convention(c) (HandleOut, Handle, UInt64) -> CUresult
    public let cuGraphLaunch: @convention(c) (Handle, Handle) -> CUresult
    public let cuGraphExecDestroy: @convention(c) (Handle) -> CUresult
    public let cuGraphDestroy: @convention(c) (Handle) -> CUresult

    /// Resolves every entry point from `library`.
    init(library: DynamicLibrary) throws(CUDAError) {
        self.library = library
        let l = library
        cuInit = try l.function("cuInit")
        cuDriverGetVersion = try l.function("cuDriverGetVersion")
        cuDeviceGetCount = try l.function("cuDeviceGetCount")
        cuDeviceGet = try l.function("cuDeviceGet")
        cuDeviceGetAttribute = try l.function("cuDeviceGetAttribute")
        cuDeviceGetName = try l.function("cuDeviceGetName")
        cuDeviceTotalMem = try l.function("cuDeviceTotalMem_v2")
        cuDevicePrimaryCtxRetain = try l.function("cuDevicePrimaryCtxRetain")
        cuDevicePrimaryCtxRelease = try l.function("cuDevicePrimaryCtxRelease_v2")
        cuCtxSetCurrent = try l.function("cuCtxSetCurrent")
        cuMemGetInfo = try l.function("cuMemGetInfo_v2")
        cuGetErrorName = try l.function("cuGetErrorName")
        cuGetErrorString = try l.function("cuGetErrorString")
        cuMemAlloc = try l.function("cuMemAlloc_v2")
        cuMemFree = try l.function("cuMemFree_v2")
        cuMemHostAlloc = try l.function("cuMemHostAlloc")
        cuMemFreeHost = try l.function("cuMemFreeHost")
        cuMemcpyHtoDAsync = try l.function("cuMemcpyHtoDAsync_v2")
        cuMemcpyDtoHAsync = try l.function("cuMemcpyDtoHAsync_v2")
        cuMemcpyDtoDAsync = try l.function("cuMemcpyDtoDAsync_v2")
        cuMemsetD8Async = try l.function("cuMemsetD8Async")
        cuMemsetD16Async = try l.function("cuMemsetD16Async")
        cuMemsetD32Async = try l.function("cuMemsetD32Async")
        cuStreamCreate = try l.function("cuStreamCreate")
        cuStreamDestroy = try l.function("cuStreamDestroy_v2")
        cuStreamSynchronize = try l.function("cuStreamSynchronize")
        cuStreamWaitEvent = try l.function("cuStreamWaitEvent")
        cuEventCreate = try l.function("cuEventCreate")
        cuEventDestroy = try l.function("cuEventDestroy_v2")
        cuEventRecord = try l.function("cuEventRecord")
        cuEventSynchronize = try l.function("cuEventSynchronize")
        // CUDA 12.8 added a _v2; drivers keep the original for old binaries. Take either.
        if let elapsed: @convention(c) (UnsafeMutablePointer<Float>, Handle, Handle) -> CUresult = l.optionalFunction("cuEventElapsedTime") {
            cuEventElapsedTime = elapsed
        } else {
            cuEventElapsedTime = try l.function("cuEventElapsedTime_v2")
        }
        cuModuleLoadData = try l.function("cuModuleLoadData")
        cuModuleUnload = try l.function("cuModuleUnload")
        cuModuleGetFunction = try l.function("cuModuleGetFunction")
        cuModuleGetGlobal = try l.function("cuModuleGetGlobal_v2")
        cuLaunchKernel = try l.function("cuLaunchKernel")
        cuStreamBeginCapture = try l.function("cuStreamBeginCapture_v2")
        cuStreamEndCapture = try l.function("cuStreamEndCapture")
        cuGraphInstantiateWithFlags = try l.function("cuGraphInstantiateWithFlags")
        cuGraphLaunch = try l.function("cuGraphLaunch")
        cuGraphExecDestroy = try l.function("cuGraphExecDestroy")
        cuGraphDestroy = try l.function("cuGraphDestroy")
    }

    /// Opens `libcuda.so.1` (`$SLORA_LIBCUDA` first when set) and resolves the table.
    public static func load() throws(CUDAError) -> DriverAPI {
        var candidates = ["libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/local/nvidia/lib64/libcuda.so.1"]
        if let path = ProcessInfo.processInfo.environment["SLORA_LIBCUDA"] { candidates.insert(path, at: 0) }
        return try DriverAPI(library: DynamicLibrary.open(name: "libcuda.so.1 (NVIDIA driver)", candidates: candidates))
    }

    // MARK: - Checking results

    /// Throws `CUDAError.driver` naming `function` unless `result` is success.
    @inline(__always)
    public func check(_ result: CUresult, _ function: StaticString) throws(CUDAError) {
        if result != 0 { throw error(result, function: "\(function)") }
    }

    /// The error for `result`, with the driver's own name (`CUDA_ERROR_OUT_OF_MEMORY`) and text.
    public func error(_ result: CUresult, function: String) -> CUDAError {
        var name: CString = nil
        var message: CString = nil
        _ = cuGetErrorName(result, &name)
        _ = cuGetErrorString(result, &message)
        return .driver(
            function: function, code: result, name: name.map { String(cString: $0) } ?? "CUDA error \(result)",
            message: message.map { String(cString: $0) } ?? "(no description)")
    }
}
