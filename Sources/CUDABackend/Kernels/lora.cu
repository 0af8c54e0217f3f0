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
// The 8-wide row kernels spread each token's work over a whole block so every thread has several
// independent 16-byte loads in flight: shrink splits the input width across the block (SHRINK_ROW_RANKS
// rank rows per block, x held in registers), expand splits the rank across warps and reduces the partial
// outputs in shared memory (EXPAND_ROW_COLUMNS outputs per block).
#include "common.cuh"

#define LORA_MODULES 7
#define LORA_TILE 8
#define SHRINK_WARPS 8
#define SHRINK_CHUNK 512
#define EXPAND_THREADS 128
#define SHRINK_ROW_THREADS 256
#define SHRINK_ROW_RANKS 4
#define EXPAND_ROW_WARPS 8
#define EXPAND_ROW_COLUMNS 256
#define EXPAND_ROW_BATCH 8

/// The (rank, aOffset, bOffset) triple of (slot, layer, module).
__device__ __forceinline__ const int* lora_descriptor(const int* descriptors, int slot, int layerCount, int layer, int module) {
    return descriptors + (((long long)slot * layerCount + layer) * LORA_MODULES + module) * 3;
}

__device__ __forceinline__ float lora_scaling(const float* scalings, int slot, int layerCount, int layer, int module) {
    return scalings[((long long)slot * layerCount + layer) * LORA_MODULES + module];
}

// MARK: - Rows (one token per block)

/// 1-wide shrink. Grid (T, ceil(maxRank / SHRINK_WARPS)), block SHRINK_WARPS·32: warp w computes
/// u[t, y·SHRINK_WARPS + w].
template <typename S>
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
    for (int i = lane; i < inWidth; i += 32) {
        const long long a = stream_offset(pages, pageStride, slot, rowStart + i, elementsPerPage, poolPages);
        sum += to_float(pool[a]) * to_float(xRow[i]);
    }
    sum = warp_sum(sum);
    if (lane == 0) u[(long long)t * uStride + j] = sum;
}

/// 1-wide expand. Grid (T, ceil(out / EXPAND_THREADS)), block EXPAND_THREADS; a thread owns one output.
template <typename S>
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
    const int o = blockIdx.y * blockDim.x + threadIdx.x;
    if (o >= outWidth) return;
    float acc = 0.0f;
    for (int j = 0; j < rank; ++j) {
        const long long a = stream_offset(pages, pageStride, slot, bOffset + j * outWidth + o, elementsPerPage, poolPages);
        acc += uRow[j] * to_float(pool[a]);
    }
    yRow[o] += scaling * acc;
}

/// 8-wide shrink. Grid (T, ceil(maxRank / SHRINK_ROW_RANKS)), block SHRINK_ROW_THREADS: the block computes
/// u[t, y·R …< y·R + R]; each thread takes 8-element chunks of the input width (x in registers, reused for
/// the R rank rows), then the block sums the partial dot products.
template <typename S>
__device__ void shrink_rows_vec(
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
    const int j0 = blockIdx.y * SHRINK_ROW_RANKS;
    if (j0 >= rank) return;  // block-uniform, before the barrier
    if (!slora_ok(rank <= uStride, FAULT_RANK, rank, uStride)) return;
    const int rows = min(SHRINK_ROW_RANKS, rank - j0);
    // Rows past the rank re-read the last real row (no branch, so every load is issued before the first
    // use); their sums are never stored.
    int rowStart[SHRINK_ROW_RANKS];
#pragma unroll
    for (int r = 0; r < SHRINK_ROW_RANKS; ++r) rowStart[r] = aOffset + (j0 + min(r, rows - 1)) * inWidth;
    const S* xRow = x + (long long)t * inWidth;  // [inWidth]
    float acc[SHRINK_ROW_RANKS];
#pragma unroll
    for (int r = 0; r < SHRINK_ROW_RANKS; ++r) acc[r] = 0.0f;
#pragma unroll 2
    for (int i = threadIdx.x * 8; i < inWidth; i += SHRINK_ROW_THREADS * 8) {
        long long a[SHRINK_ROW_RANKS];
#pragma unroll
        for (int r = 0; r < SHRINK_ROW_RANKS; ++r)
            a[r] = stream_offset(pages, pageStride, slot, rowStart[r] + i, elementsPerPage, poolPages);
        float xv[8];
        load_vec<8>(xRow + i, xv);
        float av[SHRINK_ROW_RANKS][8];
#pragma unroll
        for (int r = 0; r < SHRINK_ROW_RANKS; ++r) load_vec<8>(pool + a[r], av[r]);
#pragma unroll
        for (int r = 0; r < SHRINK_ROW_RANKS; ++r) {
#pragma unroll
            for (int k = 0; k < 8; ++k) acc[r] += av[r][k] * xv[k];
        }
    }
    __shared__ float partial[SHRINK_ROW_THREADS / 32][SHRINK_ROW_RANKS];  // [warp, rank row]
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int r = 0; r < SHRINK_ROW_RANKS; ++r) {
        const float v = warp_sum(acc[r]);
        if (lane == 0) partial[warp][r] = v;
    }
    __syncthreads();
    if (threadIdx.x < rows) {
        float sum = 0.0f;
#pragma unroll
        for (int w = 0; w < SHRINK_ROW_THREADS / 32; ++w) sum += partial[w][threadIdx.x];
        u[(long long)t * uStride + j0 + threadIdx.x] = sum;
    }
}

/// 8-wide expand. Grid (T, ceil(out / EXPAND_ROW_COLUMNS)), block EXPAND_ROW_WARPS·32: lane l of every warp
/// owns outputs [y·256 + 8l, +8); warp w sums rank rows j ≡ w (mod EXPAND_ROW_WARPS) (one coalesced
/// 512-byte (bf16) read of a Bᵀ row per warp and step); the warps' partial sums meet in shared memory.
template <typename S>
__device__ void expand_rows_vec(
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
    if (rank == 0) return;  // block-uniform, before the barrier
    if (!slora_ok(rank <= uStride, FAULT_RANK, rank, uStride)) return;
    const float scaling = lora_scaling(scalings, slot, layerCount, layer, module);
    const float* uRow = u + (long long)t * uStride;  // [rank]
    float* yRow = y + (long long)t * outWidth;       // [outWidth]
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int column0 = blockIdx.y * EXPAND_ROW_COLUMNS;
    const int o0 = column0 + lane * 8;
    float acc[8];
#pragma unroll
    for (int k = 0; k < 8; ++k) acc[k] = 0.0f;
    if (o0 < outWidth) {  // outWidth % 8 == 0: the whole vector is in range
        // EXPAND_ROW_BATCH rows per warp at a time, every load issued before the first use; rows past the
        // rank re-read the last real row and are not added.
        for (int j0 = warp; j0 < rank; j0 += EXPAND_ROW_BATCH * EXPAND_ROW_WARPS) {
            long long a[EXPAND_ROW_BATCH];
            float uj[EXPAND_ROW_BATCH];
#pragma unroll
            for (int b = 0; b < EXPAND_ROW_BATCH; ++b) {
                const int j = min(j0 + b * EXPAND_ROW_WARPS, rank - 1);
                a[b] = stream_offset(pages, pageStride, slot, bOffset + j * outWidth + o0, elementsPerPage, poolPages);
                uj[b] = uRow[j];
            }
            float bv[EXPAND_ROW_BATCH][8];
#pragma unroll
            for (int b = 0; b < EXPAND_ROW_BATCH; ++b) load_vec<8>(pool + a[b], bv[b]);
#pragma unroll
            for (int b = 0; b < EXPAND_ROW_BATCH; ++b) {
                if (j0 + b * EXPAND_ROW_WARPS < rank) {
#pragma unroll
                    for (int k = 0; k < 8; ++k) acc[k] += uj[b] * bv[b][k];
                }
            }
        }
    }
    __shared__ __align__(16) float partial[EXPAND_ROW_WARPS][EXPAND_ROW_COLUMNS];  // [warp, column]
    float4* dst = reinterpret_cast<float4*>(&partial[warp][lane * 8]);
    dst[0] = make_float4(acc[0], acc[1], acc[2], acc[3]);
    dst[1] = make_float4(acc[4], acc[5], acc[6], acc[7]);
    __syncthreads();
    const int o = column0 + threadIdx.x;
    if (o < outWidth) {
        float sum = 0.0f;
#pragma unroll
        for (int w = 0; w < EXPAND_ROW_WARPS; ++w) sum += partial[w][threadIdx.x];
        yRow[o] += scaling * sum;
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

#define SHRINK_ROWS(NAME, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(SHRINK_WARPS * 32) NAME(                                           \
        const S* x, int inWidth, const S* pool, const int* tokenSlots, const int* pages, int pageStride,            \
        const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage,          \
        int poolPages, float* u, int uStride) {                                                                     \
        shrink_rows<S>(x, inWidth, pool, tokenSlots, pages, pageStride, descriptors, slotCount, layerCount,         \
                       layer, module, elementsPerPage, poolPages, u, uStride);                                      \
    }

#define EXPAND_ROWS(NAME, S)                                                                                        \
    extern "C" __global__ void __launch_bounds__(EXPAND_THREADS) NAME(                                              \
        const float* u, int uStride, int outWidth, const S* pool, const int* tokenSlots, const int* pages,          \
        int pageStride, const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer,    \
        int module, int elementsPerPage, int poolPages, float* y) {                                                 \
        expand_rows<S>(u, uStride, outWidth, pool, tokenSlots, pages, pageStride, descriptors, scalings,            \
                       slotCount, layerCount, layer, module, elementsPerPage, poolPages, y);                        \
    }

#define SHRINK_ROWS_VEC(NAME, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(SHRINK_ROW_THREADS) NAME(                                          \
        const S* x, int inWidth, const S* pool, const int* tokenSlots, const int* pages, int pageStride,            \
        const int* descriptors, int slotCount, int layerCount, int layer, int module, int elementsPerPage,          \
        int poolPages, float* u, int uStride) {                                                                     \
        shrink_rows_vec<S>(x, inWidth, pool, tokenSlots, pages, pageStride, descriptors, slotCount, layerCount,      \
                           layer, module, elementsPerPage, poolPages, u, uStride);                                  \
    }

#define EXPAND_ROWS_VEC(NAME, S)                                                                                    \
    extern "C" __global__ void __launch_bounds__(EXPAND_ROW_WARPS * 32) NAME(                                       \
        const float* u, int uStride, int outWidth, const S* pool, const int* tokenSlots, const int* pages,          \
        int pageStride, const int* descriptors, const float* scalings, int slotCount, int layerCount, int layer,    \
        int module, int elementsPerPage, int poolPages, float* y) {                                                 \
        expand_rows_vec<S>(u, uStride, outWidth, pool, tokenSlots, pages, pageStride, descriptors, scalings,        \
                           slotCount, layerCount, layer, module, elementsPerPage, poolPages, y);                    \
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

SHRINK_ROWS_VEC(lora_shrink_rows_bf16, bf16)
SHRINK_ROWS(lora_shrink_rows_s_bf16, bf16)
SHRINK_ROWS_VEC(lora_shrink_rows_f32, float)
SHRINK_ROWS(lora_shrink_rows_s_f32, float)
EXPAND_ROWS_VEC(lora_expand_rows_bf16, bf16)
EXPAND_ROWS(lora_expand_rows_s_bf16, bf16)
EXPAND_ROWS_VEC(lora_expand_rows_f32, float)
EXPAND_ROWS(lora_expand_rows_s_f32, float)
SHRINK_SEGMENTS(lora_shrink_segments_bf16, bf16)
SHRINK_SEGMENTS(lora_shrink_segments_f32, float)
EXPAND_SEGMENTS(lora_expand_segments_bf16, bf16)
EXPAND_SEGMENTS(lora_expand_segments_f32, float)
