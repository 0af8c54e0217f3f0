// lora.cu: LoRA shrink (u = A·x) and expand (y += s · Bᵀᵀ·u) gathering adapter rows straight from the
// unified pool's pages, each token at its own adapter's rank (no padding to a max rank).
// Semantics (ComputeBackend.loraShrink / loraExpand), for token t with slot a ≥ 0 and descriptor
// (r, offA, offB, s) of (a, layer, module):
//   u[t, j] = Σ_i x[t, i] · stream(a)[offA + j·in + i]            (j < r; u row stride uStride)
//   y[t, o] += s · Σ_{j<r} u[t, j] · stream(a)[offB + j·out + o]   (o < out)
// Row kernels (MBGMV, decode): one token per block. Segment kernels (MBGMM, prefill): a tile of up to
// LORA_TILE consecutive tokens on the same adapter shares every adapter row it loads. The vector
// variants read 8 elements at a time and need in, out, every stream offset and elementsPerPage to be
// multiples of 8 (so 8 elements never straddle a page); `_s` variants read one element at a time.
#include "common.cuh"

#define LORA_MODULES 7
#define LORA_TILE 8
#define SHRINK_WARPS 8
#define SHRINK_CHUNK 512
#define EXPAND_THREADS 128

/// The (rank, aOffset, bOffset) triple of (slot, layer, module).
__device__ __forceinline__ const int* lora_descriptor(const int* descriptors, int slot, int layerCount, int layer, int module) {
    return descriptors + (((long long)slot * layerCount + layer) * LORA_MODULES + module) * 3;
}

__device__ __forceinline__ float lora_scaling(const float* scalings, int slot, int layerCount, int layer, int module) {
    return scalings[((long long)slot * layerCount + layer) * LORA_MODULES + module];
}

// MARK: - Rows (one token per block)

/// Grid (T, ceil(maxRank / SHRINK_WARPS)), block SHRINK_WARPS·32: warp w computes u[t, y·SHRINK_WARPS + w].
template <typename S, bool VEC>
__device__ void shrink_rows(
    const S* x, int inWidth, const S* pool, const int* tokenSlots, const int* pages, int pageStride,
    const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage, int poolPages,
    float* u, int uStride) {
    const int t = blockIdx.x;
    const int slot = tokenSlots[t];
    if (slot < 0) return;
    if (!slora_ok(slot < slotCount, FAULT_ADAPTER_SLOT, slot, t)) return;
    const int* d = lora_descriptor(descriptors, slot, layerCount, layer, module);
    const int rank = d[0];
    const int aOffset = d[1];
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int j = blockIdx.y * SHRINK_WARPS + warp;
    if (j >= rank) return;  // warp-uniform
    if (!slora_ok(rank <= uStride, FAULT_RANK, rank, uStride)) return;
    const S* xRow = x + (long long)t * inWidth;
    const int rowStart = aOffset + j * inWidth;
    float sum = 0.0f;
    if constexpr (VEC) {
#pragma unroll 4
        for (int i = lane * 8; i < inWidth; i += 32 * 8) {
            const long long a = stream_offset(pages, pageStride, slot, rowStart + i, elementsPerPage, poolPages);
            float av[8];
            float xv[8];
            load_vec<8>(pool + a, av);
            load_vec<8>(xRow + i, xv);
#pragma unroll
            for (int k = 0; k < 8; ++k) sum += av[k] * xv[k];
        }
    } else {
        for (int i = lane; i < inWidth; i += 32) {
            const long long a = stream_offset(pages, pageStride, slot, rowStart + i, elementsPerPage, poolPages);
            sum += to_float(pool[a]) * to_float(xRow[i]);
        }
    }
    sum = warp_sum(sum);
    if (lane == 0) u[(long long)t * uStride + j] = sum;
}

/// Grid (T, ceil(out / (EXPAND_THREADS · W))), block EXPAND_THREADS; a thread owns W = 8 (VEC) or 1
/// consecutive outputs.
template <typename S, bool VEC>
__device__ void expand_rows(
    const float* u, int uStride, int outWidth, const S* pool, const int* tokenSlots, const int* pages, int pageStride,
    const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer, int module,
    int elementsPerPage, int poolPages, float* y) {
    const int t = blockIdx.x;
    const int slot = tokenSlots[t];
    if (slot < 0) return;
    if (!slora_ok(slot < slotCount, FAULT_ADAPTER_SLOT, slot, t)) return;
    const int* d = lora_descriptor(descriptors, slot, layerCount, layer, module);
    const int rank = d[0];
    const int bOffset = d[2];
    if (rank == 0) return;
    if (!slora_ok(rank <= uStride, FAULT_RANK, rank, uStride)) return;
    const float scaling = lora_scaling(scalings, slot, layerCount, layer, module);
    const float* uRow = u + (long long)t * uStride;
    float* yRow = y + (long long)t * outWidth;
    if constexpr (VEC) {
        const int o0 = (blockIdx.y * blockDim.x + threadIdx.x) * 8;
        if (o0 >= outWidth) return;
        float acc[8];
#pragma unroll
        for (int k = 0; k < 8; ++k) acc[k] = 0.0f;
#pragma unroll 4
        for (int j = 0; j < rank; ++j) {
            const long long a = stream_offset(pages, pageStride, slot, bOffset + j * outWidth + o0, elementsPerPage, poolPages);
            float bv[8];
            load_vec<8>(pool + a, bv);
            const float uj = uRow[j];
#pragma unroll
            for (int k = 0; k < 8; ++k) acc[k] += uj * bv[k];
        }
#pragma unroll
        for (int k = 0; k < 8; ++k) yRow[o0 + k] += scaling * acc[k];
    } else {
        const int o = blockIdx.y * blockDim.x + threadIdx.x;
        if (o >= outWidth) return;
        float acc = 0.0f;
        for (int j = 0; j < rank; ++j) {
            const long long a = stream_offset(pages, pageStride, slot, bOffset + j * outWidth + o, elementsPerPage, poolPages);
            acc += uRow[j] * to_float(pool[a]);
        }
        yRow[o] += scaling * acc;
    }
}

// MARK: - Segments (a tile of tokens on one adapter per block)

/// Grid (tileCount, ceil(maxRank / SHRINK_WARPS)), block SHRINK_WARPS·32. tiles[3·b …] = (first token,
/// token count ≤ LORA_TILE, slot). The tile's x columns are staged in shared memory SHRINK_CHUNK at a time.
template <typename S>
__device__ void shrink_segments(
    const S* x, int inWidth, const S* pool, const int* tiles, int tokenCount, const int* pages, int pageStride,
    const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage, int poolPages,
    float* u, int uStride) {
    const int* tile = tiles + blockIdx.x * 3;
    const int start = tile[0];
    const int count = tile[1];
    const int slot = tile[2];
    if (!slora_ok(slot >= 0 && slot < slotCount, FAULT_ADAPTER_SLOT, slot, start)) return;
    if (!slora_ok(start >= 0 && count >= 1 && count <= LORA_TILE && start + count <= tokenCount, FAULT_ROW, start, count)) return;
    const int* d = lora_descriptor(descriptors, slot, layerCount, layer, module);
    const int rank = d[0];
    const int aOffset = d[1];
    if (blockIdx.y * SHRINK_WARPS >= rank) return;  // block-uniform, before any barrier
    if (!slora_ok(rank <= uStride, FAULT_RANK, rank, uStride)) return;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int j = blockIdx.y * SHRINK_WARPS + warp;
    const bool active = j < rank;
    __shared__ __align__(16) float tileX[LORA_TILE][SHRINK_CHUNK];
    float acc[LORA_TILE];
#pragma unroll
    for (int r = 0; r < LORA_TILE; ++r) acc[r] = 0.0f;
    for (int k0 = 0; k0 < inWidth; k0 += SHRINK_CHUNK) {
        const int width = min(SHRINK_CHUNK, inWidth - k0);
        __syncthreads();  // the previous chunk is consumed
        for (int index = threadIdx.x; index < LORA_TILE * (SHRINK_CHUNK / 8); index += blockDim.x) {
            const int r = index / (SHRINK_CHUNK / 8);
            const int c = (index - r * (SHRINK_CHUNK / 8)) * 8;
            float v[8];
            if (r < count && c < width) {
                load_vec<8>(x + (long long)(start + r) * inWidth + k0 + c, v);
            } else {
#pragma unroll
                for (int k = 0; k < 8; ++k) v[k] = 0.0f;
            }
            float4* dst = reinterpret_cast<float4*>(&tileX[r][c]);
            dst[0] = make_float4(v[0], v[1], v[2], v[3]);
            dst[1] = make_float4(v[4], v[5], v[6], v[7]);
        }
        __syncthreads();
        if (active) {
            for (int c = lane * 8; c < width; c += 32 * 8) {
                const long long a =
                    stream_offset(pages, pageStride, slot, aOffset + j * inWidth + k0 + c, elementsPerPage, poolPages);
                float av[8];
                load_vec<8>(pool + a, av);
#pragma unroll
                for (int r = 0; r < LORA_TILE; ++r) {
                    const float4 x0 = *reinterpret_cast<const float4*>(&tileX[r][c]);
                    const float4 x1 = *reinterpret_cast<const float4*>(&tileX[r][c + 4]);
                    acc[r] += av[0] * x0.x + av[1] * x0.y + av[2] * x0.z + av[3] * x0.w
                        + av[4] * x1.x + av[5] * x1.y + av[6] * x1.z + av[7] * x1.w;
                }
            }
        }
    }
    if (active) {  // warp-uniform
#pragma unroll
        for (int r = 0; r < LORA_TILE; ++r) acc[r] = warp_sum(acc[r]);
        if (lane == 0) {
#pragma unroll
            for (int r = 0; r < LORA_TILE; ++r) {
                if (r < count) u[(long long)(start + r) * uStride + j] = acc[r];
            }
        }
    }
}

/// Grid (tileCount, ceil(out / (EXPAND_THREADS · 8))), block EXPAND_THREADS: a thread owns 8 outputs of
/// every token of the tile and reads each Bᵀ chunk once for all of them.
template <typename S>
__device__ void expand_segments(
    const float* u, int uStride, int outWidth, const S* pool, const int* tiles, int tokenCount, const int* pages,
    int pageStride, const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer, int module,
    int elementsPerPage, int poolPages, float* y) {
    const int* tile = tiles + blockIdx.x * 3;
    const int start = tile[0];
    const int count = tile[1];
    const int slot = tile[2];
    if (!slora_ok(slot >= 0 && slot < slotCount, FAULT_ADAPTER_SLOT, slot, start)) return;
    if (!slora_ok(start >= 0 && count >= 1 && count <= LORA_TILE && start + count <= tokenCount, FAULT_ROW, start, count)) return;
    const int* d = lora_descriptor(descriptors, slot, layerCount, layer, module);
    const int rank = d[0];
    const int bOffset = d[2];
    if (rank == 0) return;
    if (!slora_ok(rank <= uStride, FAULT_RANK, rank, uStride)) return;
    const float scaling = lora_scaling(scalings, slot, layerCount, layer, module);
    const int o0 = (blockIdx.y * blockDim.x + threadIdx.x) * 8;
    if (o0 >= outWidth) return;
    float acc[LORA_TILE][8];
#pragma unroll
    for (int r = 0; r < LORA_TILE; ++r) {
#pragma unroll
        for (int k = 0; k < 8; ++k) acc[r][k] = 0.0f;
    }
    for (int j = 0; j < rank; ++j) {
        const long long a = stream_offset(pages, pageStride, slot, bOffset + j * outWidth + o0, elementsPerPage, poolPages);
        float bv[8];
        load_vec<8>(pool + a, bv);
#pragma unroll
        for (int r = 0; r < LORA_TILE; ++r) {
            const float uj = r < count ? u[(long long)(start + r) * uStride + j] : 0.0f;
#pragma unroll
            for (int k = 0; k < 8; ++k) acc[r][k] += uj * bv[k];
        }
    }
#pragma unroll
    for (int r = 0; r < LORA_TILE; ++r) {
        if (r < count) {
            float* yRow = y + (long long)(start + r) * outWidth + o0;
#pragma unroll
            for (int k = 0; k < 8; ++k) yRow[k] += scaling * acc[r][k];
        }
    }
}

// MARK: - Entry points

#define SHRINK_ROWS(NAME, S, VEC)                                                                                   \
    extern "C" __global__ void __launch_bounds__(SHRINK_WARPS * 32) NAME(                                           \
        const S* x, int inWidth, const S* pool, const int* tokenSlots, const int* pages, int pageStride,            \
        const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage,          \
        int poolPages, float* u, int uStride) {                                                                     \
        shrink_rows<S, VEC>(x, inWidth, pool, tokenSlots, pages, pageStride, descriptors, slotCount, layerCount,     \
                            layer, module, elementsPerPage, poolPages, u, uStride);                                 \
    }

#define EXPAND_ROWS(NAME, S, VEC)                                                                                   \
    extern "C" __global__ void __launch_bounds__(EXPAND_THREADS) NAME(                                              \
        const float* u, int uStride, int outWidth, const S* pool, const int* tokenSlots, const int* pages,          \
        int pageStride, const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer,    \
        int module, int elementsPerPage, int poolPages, float* y) {                                                 \
        expand_rows<S, VEC>(u, uStride, outWidth, pool, tokenSlots, pages, pageStride, descriptors, scalings,       \
                            slotCount, layerCount, layer, module, elementsPerPage, poolPages, y);                   \
    }

#define SHRINK_SEGMENTS(NAME, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(SHRINK_WARPS * 32) NAME(                                           \
        const S* x, int inWidth, const S* pool, const int* tiles, int tokenCount, const int* pages, int pageStride, \
        const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage,          \
        int poolPages, float* u, int uStride) {                                                                     \
        shrink_segments<S>(x, inWidth, pool, tiles, tokenCount, pages, pageStride, descriptors, slotCount,          \
                           layerCount, layer, module, elementsPerPage, poolPages, u, uStride);                      \
    }

#define EXPAND_SEGMENTS(NAME, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(EXPAND_THREADS) NAME(                                              \
        const float* u, int uStride, int outWidth, const S* pool, const int* tiles, int tokenCount,                 \
        const int* pages, int pageStride, const int* descriptors, const float* scalings, int slotCount,             \
        int layerCount, int layer, int module, int elementsPerPage, int poolPages, float* y) {                      \
        expand_segments<S>(u, uStride, outWidth, pool, tiles, tokenCount, pages, pageStride, descriptors, scalings, \
                           slotCount, layerCount, layer, module, elementsPerPage, poolPages, y);                    \
    }

SHRINK_ROWS(lora_shrink_rows_bf16, bf16, true)
SHRINK_ROWS(lora_shrink_rows_s_bf16, bf16, false)
SHRINK_ROWS(lora_shrink_rows_f32, float, true)
SHRINK_ROWS(lora_shrink_rows_s_f32, float, false)
EXPAND_ROWS(lora_expand_rows_bf16, bf16, true)
EXPAND_ROWS(lora_expand_rows_s_bf16, bf16, false)
EXPAND_ROWS(lora_expand_rows_f32, float, true)
EXPAND_ROWS(lora_expand_rows_s_f32, float, false)
SHRINK_SEGMENTS(lora_shrink_segments_bf16, bf16)
SHRINK_SEGMENTS(lora_shrink_segments_f32, float)
EXPAND_SEGMENTS(lora_expand_segments_bf16, bf16)
EXPAND_SEGMENTS(lora_expand_segments_f32, float)
