// A loaded GPU module (cubin from NVRTC) and the kernels in it. The module unloads in deinit; each
// kernel keeps its module alive. Launch arguments are packed by KernelArguments.

/// A module loaded with cuModuleLoadData.
public final class CUDAModule: @unchecked Sendable {
    public let context: CUDAContext
    /// The source file it was compiled from (for errors).
    public let sourceName: String
    let handle: OpaquePointer?

    /// Loads `image` (a cubin) into the current context.
    public init(context: CUDAContext, image: [UInt8], sourceName: String) throws(CUDAError) {
        self.context = context
        self.sourceName = sourceName
        var handle: OpaquePointer?
        let result = image.withUnsafeBytes { context.driver.cuModuleLoadData(&handle, $0.baseAddress!) }
        try context.driver.check(result, "cuModuleLoadData")
        self.handle = handle
    }

    deinit { _ = context.driver.cuModuleUnload(handle) }

    /// The `extern "C"` kernel `name`.
    /// - Throws: `CUDAError.missingKernel` when the module has no such entry point.
    public func kernel(_ name: String) throws(CUDAError) -> CUDAKernel {
        var function: OpaquePointer?
        let result = context.driver.cuModuleGetFunction(&function, handle, name)
        if result == 500 { throw .missingKernel(name: name, source: sourceName) }  // CUDA_ERROR_NOT_FOUND
        try context.driver.check(result, "cuModuleGetFunction")
        return CUDAKernel(module: self, name: name, function: function)
    }

    /// Address and size of the `__device__` global `name`, nil when the module has none.
    public func global(_ name: String) -> (address: CUdeviceptr, byteCount: Int)? {
        var address: CUdeviceptr = 0
        var bytes = 0
        guard context.driver.cuModuleGetGlobal(&address, &bytes, handle, name) == 0 else { return nil }
        return (address, bytes)
    }
}

/// One kernel of a module.
public final class CUDAKernel: @unchecked Sendable {
    public let module: CUDAModule
    public let name: String
    let function: OpaquePointer?

    init(module: CUDAModule, name: String, function: OpaquePointer?) {
        self.module = module
        self.name = name
        self.function = function
    }

    /// Queues the kernel on `stream` (cuLaunchKernel).
    /// - Precondition: grid and block dimensions are positive, a block has at most 1024 threads.
    public func launch(
        grid: (Int, Int, Int), block: (Int, Int, Int), sharedBytes: Int = 0, stream: CUDAStream,
        arguments: KernelArguments
    ) throws(CUDAError) {
        precondition(grid.0 > 0 && grid.1 > 0 && grid.2 > 0, "\(name): empty grid \(grid)")
        precondition(grid.1 <= 65535 && grid.2 <= 65535, "\(name): grid \(grid) exceeds 65535 in y or z")
        precondition(block.0 > 0 && block.1 > 0 && block.2 > 0 && block.0 * block.1 * block.2 <= 1024, "\(name): block \(block)")
        let driver = module.context.driver
        let result = arguments.withParameterArray { parameters in
            driver.cuLaunchKernel(
                function, UInt32(grid.0), UInt32(grid.1), UInt32(grid.2), UInt32(block.0), UInt32(block.1),
                UInt32(block.2), UInt32(sharedBytes), stream.handle, parameters, nil)
        }
        if result != 0 { throw driver.error(result, function: "cuLaunchKernel(\(name))") }
    }
}
