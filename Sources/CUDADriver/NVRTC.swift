// NVRTC, the runtime CUDA C++ compiler, loaded with dlopen: its function table, and `compile`, which
// turns one kernel source (plus in-memory headers) into a cubin for one GPU architecture.

import Foundation

/// The libnvrtc function table.
public struct NVRTC: @unchecked Sendable {
    public typealias Program = OpaquePointer?
    let library: DynamicLibrary
    /// libnvrtc-builtins, opened first (globally) from the same folders so NVRTC finds it even when it
    /// is not on the loader's search path (pip's nvidia-cuda-nvrtc).
    let builtins: DynamicLibrary?

    let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    let nvrtcGetErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let nvrtcCreateProgram: @convention(c) (
        UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?
    ) -> Int32
    let nvrtcCompileProgram: @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    let nvrtcGetProgramLogSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Int32
    let nvrtcGetProgramLog: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Int32
    let nvrtcGetCUBINSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Int32
    let nvrtcGetCUBIN: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Int32
    let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32

    /// (major, minor) of the loaded NVRTC.
    public let version: (major: Int, minor: Int)

    init(library: DynamicLibrary, builtins: DynamicLibrary?) throws(CUDAError) {
        self.library = library
        self.builtins = builtins
        nvrtcVersion = try library.function("nvrtcVersion")
        nvrtcGetErrorString = try library.function("nvrtcGetErrorString")
        nvrtcCreateProgram = try library.function("nvrtcCreateProgram")
        nvrtcCompileProgram = try library.function("nvrtcCompileProgram")
        nvrtcGetProgramLogSize = try library.function("nvrtcGetProgramLogSize")
        nvrtcGetProgramLog = try library.function("nvrtcGetProgramLog")
        nvrtcGetCUBINSize = try library.function("nvrtcGetCUBINSize")
        nvrtcGetCUBIN = try library.function("nvrtcGetCUBIN")
        nvrtcDestroyProgram = try library.function("nvrtcDestroyProgram")
        var major: Int32 = 0
        var minor: Int32 = 0
        let result = nvrtcVersion(&major, &minor)
        if result != 0 { throw .nvrtc(function: "nvrtcVersion", code: result, message: "") }
        version = (Int(major), Int(minor))
    }

    /// Opens libnvrtc: `$SLORA_CUDA_LIB_DIR`, the CUDA toolkit folders, then the loader's search path.
    public static func load() throws(CUDAError) -> NVRTC {
        let directories = DynamicLibrary.cudaLibraryDirectories
        let builtins = try? DynamicLibrary.open(
            name: "libnvrtc-builtins",
            candidates: DynamicLibrary.candidates(stem: "libnvrtc-builtins.so", in: directories, fallbackSonames: []),
            global: true)
        let candidates = DynamicLibrary.candidates(
            stem: "libnvrtc.so", in: directories, fallbackSonames: ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"])
        return try NVRTC(
            library: DynamicLibrary.open(name: "libnvrtc (CUDA runtime compiler)", candidates: candidates), builtins: builtins)
    }

    /// Where NVRTC was loaded from.
    public var path: String { library.path }

    private func check(_ result: Int32, _ function: StaticString) throws(CUDAError) {
        guard result != 0 else { return }
        let message = nvrtcGetErrorString(result).map { String(cString: $0) } ?? ""
        throw .nvrtc(function: "\(function)", code: result, message: message)
    }

    /// Compiles `source` to a cubin.
    /// - Parameters:
    ///   - name: the file name (shown in the log and errors).
    ///   - headers: in-memory headers by include name (`"common.cuh"`).
    ///   - options: NVRTC options, e.g. `["--gpu-architecture=sm_90", "-std=c++17"]`.
    /// - Throws: `CUDAError.compilation` with the compile log when NVRTC rejects the source.
    public func compile(source: String, name: String, headers: [String: String], options: [String]) throws(CUDAError) -> [UInt8] {
        let headerNames = headers.keys.sorted()
        let cStrings = ([source, name] + headerNames.map { headers[$0]! } + headerNames + options).map { strdup($0)! }
        defer { cStrings.forEach { free($0) } }
        let sourcePointer = UnsafePointer(cStrings[0])
        let namePointer = UnsafePointer(cStrings[1])
        let headerCount = headerNames.count
        let contents: [UnsafePointer<CChar>?] = (0..<headerCount).map { UnsafePointer(cStrings[2 + $0]) }
        let includeNames: [UnsafePointer<CChar>?] = (0..<headerCount).map { UnsafePointer(cStrings[2 + headerCount + $0]) }
        let optionPointers: [UnsafePointer<CChar>?] = (0..<options.count).map { UnsafePointer(cStrings[2 + 2 * headerCount + $0]) }

        var program: OpaquePointer?
        try check(
            nvrtcCreateProgram(&program, sourcePointer, namePointer, Int32(headerCount), contents, includeNames),
            "nvrtcCreateProgram")
        defer { _ = nvrtcDestroyProgram(&program) }
        let compiled = nvrtcCompileProgram(program, Int32(options.count), optionPointers)
        let log = programLog(program)
        if compiled == 6 {  // NVRTC_ERROR_COMPILATION
            throw .compilation(source: name, options: options, log: log)
        }
        try check(compiled, "nvrtcCompileProgram")
        var size = 0
        try check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize")
        guard size > 0 else {
            throw .compilation(source: name, options: options, log: "no cubin produced (is the architecture a real sm_XY?)\n" + log)
        }
        var cubin = [CChar](repeating: 0, count: size)
        try check(nvrtcGetCUBIN(program, &cubin), "nvrtcGetCUBIN")
        return cubin.map { UInt8(bitPattern: $0) }
    }

    private func programLog(_ program: OpaquePointer?) -> String {
        var size = 0
        guard nvrtcGetProgramLogSize(program, &size) == 0, size > 1 else { return "" }
        var log = [CChar](repeating: 0, count: size)
        guard nvrtcGetProgramLog(program, &log) == 0 else { return "" }
        return String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
