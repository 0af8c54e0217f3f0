// Every kernel file compiles with NVRTC for sm_90, in the release and the debug (bounds-checked)
// configuration. Needs libnvrtc only (no GPU): runs where NVRTC is found (the GPU machine, or a dev
// machine with SLORA_CUDA_LIB_DIR pointing at pip's nvidia-cuda-nvrtc), skipped elsewhere.

import CUDABackend
import CUDADriver
import Testing

let nvrtc: NVRTC? = try? NVRTC.load()

@Suite("NVRTC compiles the kernels", .enabled(if: nvrtc != nil))
struct KernelCompileTests {
    /// Oracle: NVRTC accepts each source (a compile error is printed with its log).
    @Test(arguments: [false, true])
    func everyKernelCompiles(debug: Bool) throws {
        let compiler = KernelCompiler(nvrtc: try #require(nvrtc), cache: KernelCache(directory: nil), architecture: "sm_90")
        for source in KernelSources.all {
            do {
                let result = try compiler.cubin(
                    source: source.text, name: source.name, headers: ["common.cuh": KernelSources.commonHeader],
                    extraOptions: debug ? ["-DSLORA_DEBUG"] : [])
                #expect(result.cubin.count > 1000, "\(source.name): cubin of \(result.cubin.count) bytes")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
