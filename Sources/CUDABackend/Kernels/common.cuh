// common.cuh: shared by every slora kernel file (handed to NVRTC as an in-memory header).
// Storage types (bf16 as raw bits, f32), conversions, vector loads of 1–8 elements, warp/block
// reductions, pool addressing, and the debug fault word that bounds checks write (-DSLORA_DEBUG).
// No system headers: NVRTC's built-in declarations (intrinsics, math) are all we use.
#pragma once

// MARK: - Storage types

/// bfloat16 as its 16 raw bits (upper half of an f32).
struct bf16 {
    unsigned short bits;
};

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(bf16 v) { return __uint_as_float(((unsigned int)v.bits) << 16); }

template <typename S> __device__ __forceinline__ S from_float(float f);
template <> __device__ __forceinline__ float from_float<float>(float f) { return f; }
/// Round to nearest even; NaN stays a (quiet) NaN.
template <> __device__ __forceinline__ bf16 from_float<bf16>(float f) {
    unsigned int u = __float_as_uint(f);
    bf16 r;
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        r.bits = (unsigned short)((u >> 16) | 0x40u);
        return r;
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    r.bits = (unsigned short)(u >> 16);
    return r;
}

#define SLORA_NEG_INF (__int_as_float(0xff800000))

__device__ __forceinline__ void unpack_bf16x2(unsigned int w, float& lo, float& hi) {
    lo = __uint_as_float(w << 16);
    hi = __uint_as_float(w & 0xffff0000u);
}

/// Loads N consecutive elements (N in 1, 2, 4, 8) as floats with the widest aligned access:
/// the pointer must be aligned to N elements.
template <int N> __device__ __forceinline__ void load_vec(const bf16* p, float* o) {
    if constexpr (N == 8) {
        uint4 w = *reinterpret_cast<const uint4*>(p);
        unpack_bf16x2(w.x, o[0], o[1]);
        unpack_bf16x2(w.y, o[2], o[3]);
        unpack_bf16x2(w.z, o[4], o[5]);
        unpack_bf16x2(w.w, o[6], o[7]);
    } else if constexpr (N == 4) {
        uint2 w = *reinterpret_cast<const uint2*>(p);
        unpack_bf16x2(w.x, o[0], o[1]);
        unpack_bf16x2(w.y, o[2], o[3]);
    } else if constexpr (N == 2) {
        unsigned int w = *reinterpret_cast<const unsigned int*>(p);
        unpack_bf16x2(w, o[0], o[1]);
    } else {
        o[0] = to_float(p[0]);
    }
}

template <int N> __device__ __forceinline__ void load_vec(const float* p, float* o) {
    if constexpr (N == 8) {
        float4 a = *reinterpret_cast<const float4*>(p);
        float4 b = *reinterpret_cast<const float4*>(p + 4);
        o[0] = a.x; o[1] = a.y; o[2] = a.z; o[3] = a.w;
        o[4] = b.x; o[5] = b.y; o[6] = b.z; o[7] = b.w;
    } else if constexpr (N == 4) {
        float4 a = *reinterpret_cast<const float4*>(p);
        o[0] = a.x; o[1] = a.y; o[2] = a.z; o[3] = a.w;
    } else if constexpr (N == 2) {
        float2 a = *reinterpret_cast<const float2*>(p);
        o[0] = a.x; o[1] = a.y;
    } else {
        o[0] = p[0];
    }
}

/// Loads up to N elements one by one (no alignment needed); elements at or past `valid` read as 0.
template <int N, typename S> __device__ __forceinline__ void load_scalar(const S* p, int valid, float* o) {
#pragma unroll
    for (int i = 0; i < N; ++i) o[i] = i < valid ? to_float(p[i]) : 0.0f;
}

// MARK: - Reductions

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ double warp_sum_double(double v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

/// Sum over the block (every thread gets it). blockDim.x must be a multiple of 32, ≤ 1024.
/// Every thread of the block must call it (it synchronizes twice).
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float partial[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // partial may still be read by a previous call
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    const int warps = blockDim.x >> 5;
    float total = 0.0f;
    for (int w = 0; w < warps; ++w) total += partial[w];
    return total;
}

__device__ __forceinline__ double block_sum_double(double v) {
    __shared__ double partial_d[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    v = warp_sum_double(v);
    __syncthreads();
    if (lane == 0) partial_d[warp] = v;
    __syncthreads();
    const int warps = blockDim.x >> 5;
    double total = 0.0;
    for (int w = 0; w < warps; ++w) total += partial_d[w];
    return total;
}

__device__ __forceinline__ float block_max(float v) {
    __shared__ float partial_m[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) partial_m[warp] = v;
    __syncthreads();
    const int warps = blockDim.x >> 5;
    float m = SLORA_NEG_INF;
    for (int w = 0; w < warps; ++w) m = fmaxf(m, partial_m[w]);
    return m;
}

// MARK: - Debug bounds checks

// With -DSLORA_DEBUG every check that fails records (code, a, b) in this module's `slora_fault` (first
// failure wins) and the caller substitutes a safe index; the host reads the word after each launch.
// Without it, slora_ok is `true` and the checks compile away.
#ifdef SLORA_DEBUG
__device__ int slora_fault[4];
#endif

__device__ __forceinline__ bool slora_ok(bool condition, int code, int a, int b) {
#ifdef SLORA_DEBUG
    if (!condition) {
        if (atomicCAS(&slora_fault[0], 0, code) == 0) {
            slora_fault[1] = a;
            slora_fault[2] = b;
            slora_fault[3] = (int)(blockIdx.x);
        }
    }
    return condition;
#else
    return true;
#endif
}

// Fault codes (CUDAKernelFault.swift names them).
#define FAULT_TOKEN_ID 1
#define FAULT_SEQUENCE 2
#define FAULT_PAGE_TABLE 3
#define FAULT_POOL_PAGE 4
#define FAULT_ADAPTER_SLOT 5
#define FAULT_ADAPTER_PAGE 6
#define FAULT_RANK 7
#define FAULT_ROW 8
#define FAULT_POSITION 9

// MARK: - Pool addressing

/// Offset inside a K (or V) page half of column `column` of the page's first slot: pages are head-major,
/// `[kvWidth / pageHeadDim][tokensPerPage][pageHeadDim]` (PageGeometry), so one head's positions are
/// contiguous and a slot is `pageHeadDim` further; columns up to the end of their head are contiguous.
/// Constant for a kernel's head: compute it once, outside the loop over positions.
__device__ __forceinline__ long long kv_column_base(int column, int tokensPerPage, int pageHeadDim) {
    const int head = column / pageHeadDim;
    return (long long)head * tokensPerPage * pageHeadDim + (column - head * pageHeadDim);
}

/// Pool element offset of K (value = 0) or V (value = 1) of `position` in `layer` at the column whose
/// `kv_column_base` is `columnBase`, for a sequence whose page table row is `table` (`tableStride` entries;
/// page of (layer l, block b) = table[b·L + l]).
__device__ __forceinline__ long long kv_offset(
    const int* table, int tableStride, int position, int layer, int layerCount, int tokensPerPage, int kvWidth,
    int poolPages, int value, int pageHeadDim, long long columnBase) {
    int entry = (position / tokensPerPage) * layerCount + layer;
    if (!slora_ok(entry >= 0 && entry < tableStride, FAULT_PAGE_TABLE, entry, position)) entry = 0;
    int page = table[entry];
    if (!slora_ok(page >= 0 && page < poolPages, FAULT_POOL_PAGE, page, position)) page = 0;
    return (long long)page * (2LL * tokensPerPage * kvWidth) + (long long)value * tokensPerPage * kvWidth
        + (long long)(position % tokensPerPage) * pageHeadDim + columnBase;
}

/// Pool element offset of element `e` of adapter slot `slot`'s stream (pages row `pages[slot·stride …]`).
__device__ __forceinline__ long long stream_offset(
    const int* pages, int pageStride, int slot, int e, int elementsPerPage, int poolPages) {
    int index = e / elementsPerPage;
    if (!slora_ok(index >= 0 && index < pageStride, FAULT_ADAPTER_PAGE, index, slot)) index = 0;
    int page = pages[slot * pageStride + index];
    if (!slora_ok(page >= 0 && page < poolPages, FAULT_POOL_PAGE, page, e)) page = 0;
    return (long long)page * elementsPerPage + (e % elementsPerPage);
}
