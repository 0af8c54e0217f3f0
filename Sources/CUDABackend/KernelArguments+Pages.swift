// The argument runs that the KV kernels (write_kv.cu, paged_attention.cu, tiled_attention.cu) and the
// LoRA kernels (lora.cu, lora_padded.cu) share, appended in the order their parameter lists declare them.

import CUDADriver
import MemoryPool

extension KernelArguments {
    /// KV page addressing: tableStride, sequenceCount, layer, layerCount, tokensPerPage, kvWidth, poolPages,
    /// pageHeadDim (`kv_offset` in common.cuh).
    mutating func kvPages(step: CUDAPreparedStep, geometry: PageGeometry, layer: Int, poolPages: Int) {
        int32(step.shape.pageTableStride)
        int32(step.shape.sequenceCount)
        int32(layer)
        int32(geometry.layerCount)
        int32(geometry.tokensPerPage)
        int32(geometry.kvWidth)
        int32(poolPages)
        int32(geometry.headDim)
    }

    /// Adapter stream addressing: pages, pageStride, descriptors, [scalings,] slotCount, layerCount, layer,
    /// module, elementsPerPage, poolPages (`stream_offset` and `lora_descriptor`).
    mutating func adapterPages(
        step: CUDAPreparedStep, geometry: PageGeometry, layer: Int, module: LoRAModule, poolPages: Int, scalings: Bool
    ) {
        pointer(step.adapterPages)
        int32(step.shape.adapterPageStride)
        pointer(step.descriptors)
        if scalings { pointer(step.scalings) }
        int32(step.shape.slotCount)
        int32(step.shape.layerCount)
        int32(layer)
        int32(module.index)
        int32(geometry.elementsPerPage)
        int32(poolPages)
    }
}
