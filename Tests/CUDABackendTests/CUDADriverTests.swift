// The driver layer on a machine without a GPU: loading fails with an error that says why, library
// candidates are found and ordered, and kernel arguments are packed as cuLaunchKernel expects.

@testable import CUDADriver
import Foundation
import Testing

/// True when this machine has an NVIDIA driver (the GPU machine): the "no driver" tests then skip.
let driverPresent: Bool = (try? DynamicLibrary.open(name: "libcuda", candidates: ["libcuda.so.1"])) != nil

@Suite("CUDA driver layer without a GPU")
struct CUDADriverTests {
    /// Oracle: the documented behaviour (issue 5, "says clearly why the CUDA backend is unavailable").
    @Test(.enabled(if: !driverPresent))
    func openingWithoutDriverSaysTheLibraryIsMissing() {
        do {
            _ = try CUDAContext.open()
            Issue.record("CUDAContext.open() succeeded without libcuda")
        } catch {
            guard case .libraryNotFound(let library, let tried, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(library.contains("libcuda.so.1"))
            #expect(tried.contains("libcuda.so.1"))
            #expect(error.description.hasPrefix("CUDA unavailable: libcuda.so.1"))
            #expect(error.description.contains("HINT"))
        }
    }

    /// Oracle: dlopen semantics; the error lists every candidate tried.
    @Test func missingLibraryListsCandidates() {
        #expect(throws: CUDAError.self) {
            try DynamicLibrary.open(name: "libnothing", candidates: ["/nonexistent/libnothing.so.1", "libnothing.so.7"])
        }
        do {
            _ = try DynamicLibrary.open(name: "libnothing", candidates: ["/nonexistent/libnothing.so.1"])
        } catch {
            #expect(error.description.contains("/nonexistent/libnothing.so.1"))
        }
    }

    /// Oracle: a library every Linux process has (libc) resolves a known symbol; a bogus one is named.
    @Test func symbolLookup() throws {
        let libc = try DynamicLibrary.open(name: "libc", candidates: ["libc.so.6"])
        let strlen: @convention(c) (UnsafePointer<CChar>) -> Int = try libc.function("strlen")
        #expect(strlen("slora") == 5)
        #expect(throws: CUDAError.symbolNotFound(symbol: "cuNoSuchThing", library: "libc.so.6")) {
            let _: @convention(c) () -> Void = try libc.function("cuNoSuchThing")
        }
    }

    /// Oracle: versioned sonames sort newest first, the bare name last, other stems excluded.
    @Test func candidatesPreferNewestVersion() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slora-libs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["libnvrtc.so", "libnvrtc.so.12", "libnvrtc.so.13.0.48", "libnvrtc.so.13", "libnvrtc-builtins.so.13.0"] {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data())
        }
        let found = DynamicLibrary.candidates(stem: "libnvrtc.so", in: [directory.path], fallbackSonames: ["libnvrtc.so.13"])
        #expect(found.map { URL(fileURLWithPath: $0).lastPathComponent } == [
            "libnvrtc.so.13.0.48", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so", "libnvrtc.so.13",
        ])
    }

    /// Oracle: cuLaunchKernel reads each argument from its own slot, little-endian; ints sign-wrap.
    @Test func kernelArgumentsPackOneSlotEach() {
        var arguments = KernelArguments()
        arguments.pointer(0x1234_5678_9abc)
        arguments.int32(-1)
        arguments.float(1.5)
        arguments.int64(-2)
        arguments.double(0.25)
        #expect(arguments.count == 5)
        #expect(arguments.slots == [
            0x1234_5678_9abc, 0xffff_ffff, UInt64(Float(1.5).bitPattern), UInt64(bitPattern: -2), Double(0.25).bitPattern,
        ])
    }

    /// Oracle: the error text names the function and the driver's error name and string.
    @Test func driverErrorDescription() {
        let error = CUDAError.driver(function: "cuMemAlloc_v2", code: 2, name: "CUDA_ERROR_OUT_OF_MEMORY", message: "out of memory")
        #expect(error.description == "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory")
        #expect(error.isOutOfMemory)
    }
}
