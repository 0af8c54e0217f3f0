// lora_padded.cu: the gathers of S-LoRA's "padded bmm" baseline (issue 6 ablation). For a chunk of
// consecutive tokens, every token's adapter rows are copied out of the pool's pages into contiguous
// buffers padded to the step's max rank R; cuBLAS strided-batched GEMMs then do the math
// (CUDAComputeBackend+PaddedLoRA.swift). For token t = tokenStart + c of the chunk, with slot a ≥ 0 and
// descriptor (r, offA, offB, s) of (a, layer, module); rows j ≥ r, and every row of a token without an
// adapter (or whose adapter does not target (layer, module)), are zeros:
//   aPad[c, j, i] = stream(a)[offA + j·in + i]                       (j < R, i < in)
//   bPad[c, j, o] = stream(a)[offB + j·out + o]                      (j < R, o < out)
//   coefficients[c, j] = s · u[t, j]  (rounded to the storage type)  (j < R)
// so that u[t] = aPad[c] · x[t] and y[t] += coefficients[c] · bPad[c] (the scaling rides on u).
// Grid (chunk tokens, R), block PAD_THREADS: block (c, j) writes one padded row. The vector path copies
// 8 elements at a time and needs the width, every stream offset and elementsPerPage to be multiples of 8
// (so 8 elements never straddle a page, and rows of the padded buffer stay 16-byte aligned).
#include "common.cuh"

#define PAD_MODULES 7
#define PAD_THREADS 256

/// Copies 8 consecutive elements as raw 16-byte words (1 for bf16, 2 for f32); both pointers 8-aligned.
template <typename S> __device__ __forceinline__ void copy8(const S* src, S* dst) {
    const uint4* s = reinterpret_cast<const uint4*>(src);
    uint4* d = reinterpret_cast<uint4*>(dst);
#pragma unroll
    for (int k = 0; k < (int)(sizeof(S) * 8 / 16); ++k) d[k] = s[k];
}

/// Writes 8 zero elements (dst 8-aligned).
template <typename S> __device__ __forceinline__ void zero8(S* dst) {
    uint4* d = reinterpret_cast<uint4*>(dst);
#pragma unroll
    for (int k = 0; k < (int)(sizeof(S) * 8 / 16); ++k) d[k] = make_uint4(0u, 0u, 0u, 0u);
}

/// The rank and (A or Bᵀ) stream offset of the chunk token's adapter for (layer, module); rank 0 when the
/// token has no adapter, or (debug) its slot or rank is out of range.
__device__ __forceinline__ int padded_rank(
    const int* tokenSlots, int t, const int* descriptors, int slotCount, int layerCount, int layer, int module,
    int maxRank, int which, int* slotOut, int* offsetOut, long long* descriptorIndex) {
    const int slot = tokenSlots[t];
    *slotOut = slot;
    if (slot < 0) return 0;
    if (!slora_ok(slot < slotCount, FAULT_ADAPTER_SLOT, slot, t)) return 0;
    const long long index = ((long long)slot * layerCount + layer) * PAD_MODULES + module;
    const int* d = descriptors + index * 3;
    const int rank = d[0];
    if (!slora_ok(rank <= maxRank, FAULT_RANK, rank, maxRank)) return 0;
    *offsetOut = d[1 + which];
    *descriptorIndex = index;
    return rank;
}

/// Row `j` of the padded buffer: stream(slot)[rowStart …< rowStart + width] when `real`, else zeros.
template <typename S>
__device__ void padded_row(
    const S* pool, const int* pages, int pageStride, int slot, bool real, int rowStart, int width, int elementsPerPage,
    int poolPages, int vectorized, S* dst) {
    if (vectorized) {
        for (int i = threadIdx.x * 8; i < width; i += PAD_THREADS * 8) {
            if (real) {
                const long long a = stream_offset(pages, pageStride, slot, rowStart + i, elementsPerPage, poolPages);
                copy8<S>(pool + a, dst + i);
            } else {
                zero8<S>(dst + i);
            }
        }
    } else {
        for (int i = threadIdx.x; i < width; i += PAD_THREADS) {
            if (real) {
                const long long a = stream_offset(pages, pageStride, slot, rowStart + i, elementsPerPage, poolPages);
                dst[i] = pool[a];
            } else {
                dst[i] = from_float<S>(0.0f);
            }
        }
    }
}

/// aPad `[chunk, maxRank, inWidth]` for tokens tokenStart …< tokenStart + gridDim.x.
template <typename S>
__device__ void pad_a(
    const S* pool, const int* tokenSlots, int tokenStart, const int* pages, int pageStride, const int* descriptors,
    int slotCount, int layerCount, int layer, int module, int elementsPerPage, int poolPages, int inWidth, int maxRank,
    int vectorized, S* aPad) {
    const int c = blockIdx.x;
    const int j = blockIdx.y;
    const int t = tokenStart + c;
    int slot = -1;
    int offset = 0;
    long long index = 0;
    const int rank = padded_rank(tokenSlots, t, descriptors, slotCount, layerCount, layer, module, maxRank, 0, &slot, &offset, &index);
    S* dst = aPad + ((long long)c * maxRank + j) * inWidth;  // [inWidth]
    padded_row<S>(pool, pages, pageStride, slot, j < rank, offset + j * inWidth, inWidth, elementsPerPage, poolPages, vectorized, dst);
}

/// bPad `[chunk, maxRank, outWidth]` and coefficients `[chunk, maxRank]` (s · u, storage type) for
/// tokens tokenStart …< tokenStart + gridDim.x; u is `[T, maxRank]` f32.
template <typename S>
__device__ void pad_b(
    const float* u, const S* pool, const int* tokenSlots, int tokenStart, const int* pages, int pageStride,
    const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer, int module,
    int elementsPerPage, int poolPages, int outWidth, int maxRank, int vectorized, S* bPad, S* coefficients) {
    const int c = blockIdx.x;
    const int j = blockIdx.y;
    const int t = tokenStart + c;
    int slot = -1;
    int offset = 0;
    long long index = 0;
    const int rank = padded_rank(tokenSlots, t, descriptors, slotCount, layerCount, layer, module, maxRank, 1, &slot, &offset, &index);
    const bool real = j < rank;
    if (threadIdx.x == 0) {
        const float v = real ? scalings[index] * u[(long long)t * maxRank + j] : 0.0f;
        coefficients[(long long)c * maxRank + j] = from_float<S>(v);
    }
    S* dst = bPad + ((long long)c * maxRank + j) * outWidth;  // [outWidth]
    padded_row<S>(pool, pages, pageStride, slot, real, offset + j * outWidth, outWidth, elementsPerPage, poolPages, vectorized, dst);
}

// MARK: - Entry points

#define PAD_A(NAME, S)                                                                                              \
    extern "C" __global__ void __launch_bounds__(PAD_THREADS) NAME(                                                 \
        const S* pool, const int* tokenSlots, int tokenStart, const int* pages, int pageStride,                     \
        const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage,          \
        int poolPages, int inWidth, int maxRank, int vectorized, S* aPad) {                                         \
        pad_a<S>(pool, tokenSlots, tokenStart, pages, pageStride, descriptors, slotCount, layerCount, layer,        \
                 module, elementsPerPage, poolPages, inWidth, maxRank, vectorized, aPad);                           \
    }

#define PAD_B(NAME, S)                                                                                              \
    extern "C" __global__ void __launch_bounds__(PAD_THREADS) NAME(                                                 \
        const float* u, const S* pool, const int* tokenSlots, int tokenStart, const int* pages, int pageStride,     \
        const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer, int module,        \
        int elementsPerPage, int poolPages, int outWidth, int maxRank, int vectorized, S* bPad, S* coefficients) {  \
        pad_b<S>(u, pool, tokenSlots, tokenStart, pages, pageStride, descriptors, scalings, slotCount, layerCount,  \
                 layer, module, elementsPerPage, poolPages, outWidth, maxRank, vectorized, bPad, coefficients);     \
    }

PAD_A(lora_pad_a_bf16, bf16)
PAD_A(lora_pad_a_f32, float)
PAD_B(lora_pad_b_bf16, bf16)
PAD_B(lora_pad_b_f32, float)
