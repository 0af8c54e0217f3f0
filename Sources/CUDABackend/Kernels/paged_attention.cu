// paged_attention.cu: causal GQA attention for prefill and decode tokens alike, reading K/V through
// the unified pool's page tables. Semantics (ComputeBackend.attention): for token t, head h,
// g = h / (H / KVH): w = softmax_p(scale · q[t,h]·K(seq t, p, g)) over p = 0…pos(t);
// out[t,h] = Σ_p w[p] · V(seq t, p, g).
//
// Grid (T·H, splits): block (t·H + h, split) covers positions [split·chunk, min(len, (split+1)·chunk)),
// chunk = ceil(len / splits) of its own token (len = pos + 1), so one launch serves any mix of lengths.
// A block has ATT_WARPS warps; warp w takes positions w·U, w·U + 1, …, w·U + U−1, then jumps by
// ATT_WARPS·U (U = ATT_UNROLL loads in flight per warp). Lane i owns head dimensions [i·DPL, i·DPL + DPL).
// Each warp keeps an online softmax (m, l, acc); the block merges its warps in shared memory. With one
// split it writes out (storage type); with several it writes (m, l, acc[D]) per split to `partial` and
// attention_combine merges them.
#include "common.cuh"

#define ATT_WARPS 8
#define ATT_UNROLL 4
#define ATT_MAX_HEAD_DIM 256

template <typename S, int DPL, bool VEC>
__device__ __forceinline__ void load_head_chunk(const S* p, int valid, float* o) {
    if constexpr (VEC) {
        load_vec<DPL>(p, o);
    } else {
        load_scalar<DPL>(p, valid, o);
    }
}

template <typename S, int DPL, bool VEC>
__device__ void attention(
    const float* q, const S* pool, const int* positions, const int* tokenSequence, const int* pageTables,
    const int* single, int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage, int kvWidth,
    int poolPages, int pageHeadDim, int headCount, int kvHeadCount, int headDim, float scale, int splits, S* out,
    float* partial) {
    const int th = blockIdx.x;  // t · headCount + h
    const int t = th / headCount;
    const int h = th - t * headCount;
    if (single != nullptr && single[t] == 0) return;  // a query tile of tiled_attention.cu computes it
    const int split = blockIdx.y;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;

    int sequence = tokenSequence[t];
    if (!slora_ok(sequence >= 0 && sequence < sequenceCount, FAULT_SEQUENCE, sequence, t)) sequence = 0;
    int position = positions[t];
    if (!slora_ok(position >= 0, FAULT_POSITION, position, t)) position = 0;
    const int length = position + 1;
    const int chunk = (length + splits - 1) / splits;
    const int begin = split * chunk;
    const int end = min(length, begin + chunk);
    const int g = h / (headCount / kvHeadCount);
    const int* table = pageTables + (long long)sequence * tableStride;
    const int d0 = lane * DPL;
    const int valid = max(0, min(DPL, headDim - d0));  // dimensions this lane owns
    const long long valueOffset = (long long)tokensPerPage * kvWidth;
    const long long columnBase = kv_column_base(g * headDim + d0, tokensPerPage, pageHeadDim);  // this lane's dims

    float qr[DPL];
    const float* qRow = q + (long long)th * headDim;
#pragma unroll
    for (int i = 0; i < DPL; ++i) qr[i] = i < valid ? qRow[d0 + i] * scale : 0.0f;

    float m = SLORA_NEG_INF;
    float l = 0.0f;
    float acc[DPL];
#pragma unroll
    for (int i = 0; i < DPL; ++i) acc[i] = 0.0f;

    for (int p0 = begin + warp * ATT_UNROLL; p0 < end; p0 += ATT_WARPS * ATT_UNROLL) {
        float kf[ATT_UNROLL][DPL];
        float vf[ATT_UNROLL][DPL];
#pragma unroll
        for (int u = 0; u < ATT_UNROLL; ++u) {
            const int p = p0 + u;
            if (p < end && valid > 0) {
                const long long offset = kv_offset(
                    table, tableStride, p, layer, layerCount, tokensPerPage, kvWidth, poolPages, 0, pageHeadDim,
                    columnBase);
                load_head_chunk<S, DPL, VEC>(pool + offset, valid, kf[u]);
                load_head_chunk<S, DPL, VEC>(pool + offset + valueOffset, valid, vf[u]);
            } else {
#pragma unroll
                for (int i = 0; i < DPL; ++i) {
                    kf[u][i] = 0.0f;
                    vf[u][i] = 0.0f;
                }
            }
        }
        float s[ATT_UNROLL];
#pragma unroll
        for (int u = 0; u < ATT_UNROLL; ++u) {
            float dot = 0.0f;
#pragma unroll
            for (int i = 0; i < DPL; ++i) dot += qr[i] * kf[u][i];
            s[u] = warp_sum(dot);
        }
        float next = m;
#pragma unroll
        for (int u = 0; u < ATT_UNROLL; ++u) {
            if (p0 + u < end) next = fmaxf(next, s[u]);
        }
        const float correction = expf(m - next);  // m = -inf on the first pass: 0
        l *= correction;
#pragma unroll
        for (int i = 0; i < DPL; ++i) acc[i] *= correction;
#pragma unroll
        for (int u = 0; u < ATT_UNROLL; ++u) {
            if (p0 + u < end) {
                const float e = expf(s[u] - next);
                l += e;
#pragma unroll
                for (int i = 0; i < DPL; ++i) acc[i] += e * vf[u][i];
            }
        }
        m = next;
    }

    // Merge the warps.
    __shared__ float sharedMax[ATT_WARPS];
    __shared__ float sharedSum[ATT_WARPS];
    __shared__ float sharedAcc[ATT_WARPS][ATT_MAX_HEAD_DIM];
    if (lane == 0) {
        sharedMax[warp] = m;
        sharedSum[warp] = l;
    }
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        if (i < valid) sharedAcc[warp][d0 + i] = acc[i];
    }
    __syncthreads();
    float blockMax = SLORA_NEG_INF;
    for (int w = 0; w < ATT_WARPS; ++w) blockMax = fmaxf(blockMax, sharedMax[w]);
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float total = 0.0f;
        float o = 0.0f;
        for (int w = 0; w < ATT_WARPS; ++w) {
            if (sharedMax[w] != SLORA_NEG_INF) {
                const float f = expf(sharedMax[w] - blockMax);
                total += sharedSum[w] * f;
                o += sharedAcc[w][d] * f;
            }
        }
        if (splits == 1) {
            out[(long long)th * headDim + d] = from_float<S>(total > 0.0f ? o / total : 0.0f);
        } else {
            float* part = partial + ((long long)th * splits + split) * (headDim + 2);
            part[2 + d] = o;
            if (d == 0) {
                part[0] = blockMax;
                part[1] = total;
            }
        }
    }
}

/// Merges the `splits` partial results of each (t, h): out = Σ_s acc_s·e^(m_s−M) / Σ_s l_s·e^(m_s−M).
/// Grid: one block per (t, h).
template <typename S>
__device__ void attention_combine(const float* partial, const int* single, int headCount, int splits, int headDim, S* out) {
    const int th = blockIdx.x;
    if (single != nullptr && single[th / headCount] == 0) return;
    const float* parts = partial + (long long)th * splits * (headDim + 2);
    float blockMax = SLORA_NEG_INF;
    for (int s = 0; s < splits; ++s) blockMax = fmaxf(blockMax, parts[s * (headDim + 2)]);
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float total = 0.0f;
        float o = 0.0f;
        for (int s = 0; s < splits; ++s) {
            const float* part = parts + s * (headDim + 2);
            if (part[0] != SLORA_NEG_INF) {
                const float f = expf(part[0] - blockMax);
                total += part[1] * f;
                o += part[2 + d] * f;
            }
        }
        out[(long long)th * headDim + d] = from_float<S>(total > 0.0f ? o / total : 0.0f);
    }
}

#define ATTENTION_KERNEL(NAME, S, DPL, VEC)                                                                        \
    extern "C" __global__ void __launch_bounds__(ATT_WARPS * 32) NAME(                                             \
        const float* q, const S* pool, const int* positions, const int* tokenSequence, const int* pageTables,      \
        const int* single, int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage,       \
        int kvWidth, int poolPages, int pageHeadDim, int headCount, int kvHeadCount, int headDim, float scale,     \
        int splits, S* out, float* partial) {                                                                      \
        attention<S, DPL, VEC>(q, pool, positions, tokenSequence, pageTables, single, tableStride, sequenceCount, layer, \
                               layerCount, tokensPerPage, kvWidth, poolPages, pageHeadDim, headCount, kvHeadCount, headDim, \
                               scale, splits, out, partial);                                                       \
    }

ATTENTION_KERNEL(attention_d1_bf16, bf16, 1, true)
ATTENTION_KERNEL(attention_d2_bf16, bf16, 2, true)
ATTENTION_KERNEL(attention_d4_bf16, bf16, 4, true)
ATTENTION_KERNEL(attention_d8_bf16, bf16, 8, true)
ATTENTION_KERNEL(attention_d8s_bf16, bf16, 8, false)
ATTENTION_KERNEL(attention_d1_f32, float, 1, true)
ATTENTION_KERNEL(attention_d2_f32, float, 2, true)
ATTENTION_KERNEL(attention_d4_f32, float, 4, true)
ATTENTION_KERNEL(attention_d8_f32, float, 8, true)
ATTENTION_KERNEL(attention_d8s_f32, float, 8, false)

extern "C" __global__ void attention_combine_bf16(
    const float* partial, const int* single, int headCount, int splits, int headDim, bf16* out) {
    attention_combine(partial, single, headCount, splits, headDim, out);
}

extern "C" __global__ void attention_combine_f32(
    const float* partial, const int* single, int headCount, int splits, int headDim, float* out) {
    attention_combine(partial, single, headCount, splits, headDim, out);
}
