// The kernel sources embedded in the binary: every file is there, non-empty, includes the common
// header, and defines each `extern "C" __global__` entry point the backend launches.

import CUDABackend
import Testing

@Suite("Embedded kernel sources")
struct KernelSourcesTests {
    /// Oracle: the file list in Package.swift / KernelSources and the launch sites' kernel names.
    @Test func everySourceDefinesItsEntryPoints() {
        let sources = KernelSources.all
        #expect(sources.count == 12)
        #expect(KernelSources.commonHeader.contains("#pragma once"))
        for source in sources {
            #expect(!source.text.isEmpty, "\(source.name) is empty")
            #expect(source.text.contains("#include \"common.cuh\""), "\(source.name) does not include common.cuh")
            #expect(source.text.contains("extern \"C\" __global__"), "\(source.name) has no extern \"C\" kernels")
            for entry in source.entryPoints {
                // Either written out (`void name(`) or instantiated by a macro (`MACRO(name, …)`).
                let defined = source.text.contains(" \(entry)(") || source.text.contains("(\(entry),")
                #expect(defined, "\(source.name) does not define \(entry)")
            }
        }
        let names = sources.flatMap(\.entryPoints)
        #expect(Set(names).count == names.count, "an entry point is declared twice")
    }

    /// Oracle: the launch code's naming rule (`<stem>_<bf16|f32>`) for the kernels it builds names for.
    @Test func attentionVariantsExist() {
        let attention = KernelSources.all.first { $0.name == "paged_attention.cu" }!
        for dpl in [1, 2, 4, 8] {
            for suffix in ["bf16", "f32"] {
                #expect(attention.entryPoints.contains("attention_d\(dpl)_\(suffix)"))
            }
        }
        #expect(attention.entryPoints.contains("attention_d8s_bf16"))
    }
}
