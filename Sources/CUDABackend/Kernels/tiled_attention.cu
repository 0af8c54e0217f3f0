// tiled_attention.cu: the two fast attention kernels (same semantics as paged_attention.cu's: for
// token t, head h, g = h / (H / KVH): out[t,h] = Σ_p softmax_p(scale · q[t,h]·K(seq t, p, g)) · V(seq t, p, g)
// over p = 0…pos(t)).
//
// attention_rows: one block per (token, head[, split]) like paged_attention.cu, but each position is read
// by LPP = headDim / 8 lanes with one 16-byte load each, so a warp reads 32 / LPP positions per load
// (each lane group keeps its own online softmax; the block merges all groups). Tokens whose `single`
// flag is 0 are left to attention_tiles. Needs headDim = 8·LPP (16…256) and 8-aligned pool rows.
//
// attention_tiles: one block per (query tile, head): a tile is up to TILE_Q consecutive tokens of one
// sequence at consecutive positions (a prefill chunk). K/V blocks of TILE_K positions are loaded once
// into shared memory and used by every query of the tile (instead of once per query): scores and P·V
// in f32 from shared memory, online softmax per query row. Needs headDim 64 or 128.
#include "common.cuh"

#define ROWS_WARPS 8
#define TILE_Q 16
#define TILE_K 32
#define TILE_WARPS 4

// MARK: - attention_rows

/// Most page-table entries attention_rows caches in shared memory (positions of one split / tokensPerPage + 2);
/// longer spans read the table from global memory.
#define ROWS_PAGE_CACHE 256

template <typename S, int LPP, int UNROLL>
__device__ void attention_rows(
    const float* q, const S* pool, const int* positions, const int* tokenSequence, const int* pageTables,
    const int* single, int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage,
    int kvWidth, int poolPages, int pageHeadDim, int headCount, int kvHeadCount, float scale, int splits, S* out,
    float* partial) {
    constexpr int D = 8 * LPP;
    constexpr int GROUPS = 32 / LPP;  // positions per warp load
    constexpr int STATES = ROWS_WARPS * GROUPS;
    const int th = blockIdx.x;  // t · headCount + h
    const int t = th / headCount;
    const int h = th - t * headCount;
    if (single != nullptr && single[t] == 0) return;
    const int split = blockIdx.y;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int group = lane / LPP;
    const int d0 = (lane - group * LPP) * 8;

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
    const long long valueOffset = (long long)tokensPerPage * kvWidth;
    const long long pageElements = 2LL * tokensPerPage * kvWidth;

    // The pages of this split's positions, read once into shared memory (the loads below then depend
    // on a shared-memory read instead of a global one).
    __shared__ int pageCache[ROWS_PAGE_CACHE];
    const int firstBlock = begin / tokensPerPage;
    const int blockSpan = end > begin ? (end - 1) / tokensPerPage - firstBlock + 1 : 0;
    const bool cached = blockSpan <= ROWS_PAGE_CACHE;
    if (cached) {
        for (int b = threadIdx.x; b < blockSpan; b += blockDim.x) {
            int entry = (firstBlock + b) * layerCount + layer;
            if (!slora_ok(entry >= 0 && entry < tableStride, FAULT_PAGE_TABLE, entry, begin)) entry = 0;
            int page = table[entry];
            if (!slora_ok(page >= 0 && page < poolPages, FAULT_POOL_PAGE, page, begin)) page = 0;
            pageCache[b] = page;
        }
    }
    __syncthreads();

    float qr[8];
    load_vec<8>(q + (long long)th * D + d0, qr);
#pragma unroll
    for (int i = 0; i < 8; ++i) qr[i] *= scale;

    float m = SLORA_NEG_INF;
    float l = 0.0f;
    float acc[8];
#pragma unroll
    for (int i = 0; i < 8; ++i) acc[i] = 0.0f;

    for (int p0 = begin + warp * UNROLL * GROUPS; p0 < end; p0 += ROWS_WARPS * UNROLL * GROUPS) {
        float kf[UNROLL][8];
        float vf[UNROLL][8];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const int p = p0 + u * GROUPS + group;
            if (p < end) {
                const int block = p / tokensPerPage;
                const long long offset =
                    cached ? (long long)pageCache[block - firstBlock] * pageElements
                                 + kv_column(g * D + d0, p - block * tokensPerPage, tokensPerPage, pageHeadDim)
                           : kv_offset(table, tableStride, p, layer, layerCount, tokensPerPage, kvWidth, poolPages, 0,
                                       pageHeadDim, g * D + d0);
                load_vec<8>(pool + offset, kf[u]);
                load_vec<8>(pool + offset + valueOffset, vf[u]);
            } else {
#pragma unroll
                for (int i = 0; i < 8; ++i) {
                    kf[u][i] = 0.0f;
                    vf[u][i] = 0.0f;
                }
            }
        }
        float s[UNROLL];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            float dot = 0.0f;
#pragma unroll
            for (int i = 0; i < 8; ++i) dot += qr[i] * kf[u][i];
#pragma unroll
            for (int offset = LPP / 2; offset > 0; offset >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, offset);
            s[u] = dot;
        }
        float next = m;
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            if (p0 + u * GROUPS + group < end) next = fmaxf(next, s[u]);
        }
        if (next == SLORA_NEG_INF) continue;  // this group had no position in this round
        const float correction = expf(m - next);  // m = -inf on the group's first round: 0
        l *= correction;
#pragma unroll
        for (int i = 0; i < 8; ++i) acc[i] *= correction;
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            if (p0 + u * GROUPS + group < end) {
                const float e = expf(s[u] - next);
                l += e;
#pragma unroll
                for (int i = 0; i < 8; ++i) acc[i] += e * vf[u][i];
            }
        }
        m = next;
    }

    // Merge the ROWS_WARPS · GROUPS states.
    __shared__ float sharedMax[STATES];
    __shared__ float sharedSum[STATES];
    __shared__ float sharedAcc[STATES][D];
    const int state = warp * GROUPS + group;
    if (d0 == 0) {
        sharedMax[state] = m;
        sharedSum[state] = l;
    }
#pragma unroll
    for (int i = 0; i < 8; ++i) sharedAcc[state][d0 + i] = acc[i];
    __syncthreads();
    float blockMax = SLORA_NEG_INF;
    for (int w = 0; w < STATES; ++w) blockMax = fmaxf(blockMax, sharedMax[w]);
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float total = 0.0f;
        float o = 0.0f;
        for (int w = 0; w < STATES; ++w) {
            if (sharedMax[w] != SLORA_NEG_INF) {
                const float f = expf(sharedMax[w] - blockMax);
                total += sharedSum[w] * f;
                o += sharedAcc[w][d] * f;
            }
        }
        if (splits == 1) {
            out[(long long)th * D + d] = from_float<S>(total > 0.0f ? o / total : 0.0f);
        } else {
            float* part = partial + ((long long)th * splits + split) * (D + 2);
            part[2 + d] = o;
            if (d == 0) {
                part[0] = blockMax;
                part[1] = total;
            }
        }
    }
}

/// Merges the `splits` partial results of each (t, h) of a `single` token (all tokens when null).
template <typename S>
__device__ void attention_rows_combine(const float* partial, const int* single, int headCount, int splits, int headDim, S* out) {
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

// MARK: - attention_tiles

/// `tiles`: [tileCount, 4] (first token, token count ≤ TILE_Q, sequence, first position).
template <typename S, int D>
__device__ void attention_tiles(
    const float* q, const S* pool, const int* tiles, const int* pageTables, int tableStride, int sequenceCount,
    int layer, int layerCount, int tokensPerPage, int kvWidth, int poolPages, int pageHeadDim, int headCount,
    int kvHeadCount, float scale, S* out) {
    constexpr int DPL = D / 32;  // P·V dimensions per lane (consecutive)
    constexpr int KSTRIDE = D + 4;  // padded K rows: 16-byte reads of 8 lanes hit distinct banks
    constexpr int ROWS = TILE_Q / TILE_WARPS;  // query rows per warp: i = warp + TILE_WARPS · r
    constexpr int THREADS = TILE_WARPS * 32;
    __shared__ __align__(16) float qs[TILE_Q][D];
    __shared__ __align__(16) float ks[TILE_K][KSTRIDE];
    __shared__ __align__(16) float vs[TILE_K][D];
    __shared__ __align__(16) float ps[TILE_Q][TILE_K];

    const int tile = blockIdx.x / headCount;
    const int h = blockIdx.x - tile * headCount;
    const int* desc = tiles + tile * 4;
    const int first = desc[0];
    const int count = desc[1];
    int sequence = desc[2];
    if (!slora_ok(sequence >= 0 && sequence < sequenceCount, FAULT_SEQUENCE, sequence, first)) sequence = 0;
    const int p0 = desc[3];
    const int g = h / (headCount / kvHeadCount);
    const int* table = pageTables + (long long)sequence * tableStride;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const long long valueOffset = (long long)tokensPerPage * kvWidth;

    for (int e = threadIdx.x; e < TILE_Q * D; e += THREADS) {
        const int i = e / D;
        const int d = e - i * D;
        qs[i][d] = i < count ? q[((long long)(first + i) * headCount + h) * D + d] * scale : 0.0f;
    }
    float m[ROWS];
    float l[ROWS];
    float acc[ROWS][DPL];
#pragma unroll
    for (int r = 0; r < ROWS; ++r) {
        m[r] = SLORA_NEG_INF;
        l[r] = 0.0f;
#pragma unroll
        for (int k = 0; k < DPL; ++k) acc[r][k] = 0.0f;
    }
    const int lastPosition = p0 + count - 1;
    for (int k0 = 0; k0 <= lastPosition; k0 += TILE_K) {
        __syncthreads();  // the previous block's K/V reads are done (and qs is written)
        constexpr int CHUNKS = TILE_K * D / 8;  // 8 elements (one 16-byte bf16 load) each
        for (int c = threadIdx.x; c < CHUNKS; c += THREADS) {
            const int j = c / (D / 8);
            const int d = (c - j * (D / 8)) * 8;
            const int p = k0 + j;
            float kf[8];
            float vf[8];
            if (p <= lastPosition) {
                const long long offset = kv_offset(
                    table, tableStride, p, layer, layerCount, tokensPerPage, kvWidth, poolPages, 0, pageHeadDim, g * D + d);
                load_vec<8>(pool + offset, kf);
                load_vec<8>(pool + offset + valueOffset, vf);
            } else {
#pragma unroll
                for (int i = 0; i < 8; ++i) {
                    kf[i] = 0.0f;
                    vf[i] = 0.0f;
                }
            }
#pragma unroll
            for (int i = 0; i < 8; ++i) {
                ks[j][d + i] = kf[i];
                vs[j][d + i] = vf[i];
            }
        }
        __syncthreads();

        // Scores: lane = key j of this block, rows i = warp + TILE_WARPS · r.
        float s[ROWS];
#pragma unroll
        for (int r = 0; r < ROWS; ++r) s[r] = 0.0f;
#pragma unroll 4
        for (int d = 0; d < D; d += 4) {
            float kv[4];
            load_vec<4>(&ks[lane][d], kv);
#pragma unroll
            for (int r = 0; r < ROWS; ++r) {
                float qv[4];
                load_vec<4>(&qs[warp + TILE_WARPS * r][d], qv);
                s[r] += qv[0] * kv[0] + qv[1] * kv[1] + qv[2] * kv[2] + qv[3] * kv[3];
            }
        }
        const int p = k0 + lane;
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const int i = warp + TILE_WARPS * r;
            const bool visible = i < count && p <= p0 + i;
            const float score = visible ? s[r] : SLORA_NEG_INF;
            const float next = fmaxf(m[r], warp_max(score));
            // Rows past `count` never see a key (next stays -inf): keep them at zero.
            const float e = visible ? expf(score - next) : 0.0f;
            const float correction = next == SLORA_NEG_INF ? 1.0f : expf(m[r] - next);
            l[r] = l[r] * correction + warp_sum(e);
#pragma unroll
            for (int k = 0; k < DPL; ++k) acc[r][k] *= correction;
            m[r] = next;
            ps[i][lane] = e;
        }
        __syncwarp();
        // P·V: lane owns dimensions [lane·DPL, lane·DPL + DPL).
#pragma unroll 4
        for (int j = 0; j < TILE_K; ++j) {
            float vv[DPL];
            load_vec<DPL>(&vs[j][lane * DPL], vv);
#pragma unroll
            for (int r = 0; r < ROWS; ++r) {
                const float pr = ps[warp + TILE_WARPS * r][j];
#pragma unroll
                for (int k = 0; k < DPL; ++k) acc[r][k] += pr * vv[k];
            }
        }
    }
#pragma unroll
    for (int r = 0; r < ROWS; ++r) {
        const int i = warp + TILE_WARPS * r;
        if (i >= count) continue;
        S* o = out + ((long long)(first + i) * headCount + h) * D + lane * DPL;
#pragma unroll
        for (int k = 0; k < DPL; ++k) o[k] = from_float<S>(l[r] > 0.0f ? acc[r][k] / l[r] : 0.0f);
    }
}

// MARK: - Entry points

#define ROWS_KERNEL(NAME, S, LPP, UNROLL)                                                                          \
    extern "C" __global__ void __launch_bounds__(ROWS_WARPS * 32) NAME(                                            \
        const float* q, const S* pool, const int* positions, const int* tokenSequence, const int* pageTables,      \
        const int* single, int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage,       \
        int kvWidth, int poolPages, int pageHeadDim, int headCount, int kvHeadCount, float scale, int splits,      \
        S* out, float* partial) {                                                                                  \
        attention_rows<S, LPP, UNROLL>(q, pool, positions, tokenSequence, pageTables, single, tableStride,         \
                                       sequenceCount, layer, layerCount, tokensPerPage, kvWidth, poolPages,        \
                                       pageHeadDim, headCount, kvHeadCount, scale, splits, out, partial);          \
    }

// attention_rows_l<lanes per position>_u<positions in flight per lane group>
ROWS_KERNEL(attention_rows_l2_u2_bf16, bf16, 2, 2)
ROWS_KERNEL(attention_rows_l2_u4_bf16, bf16, 2, 4)
ROWS_KERNEL(attention_rows_l2_u8_bf16, bf16, 2, 8)
ROWS_KERNEL(attention_rows_l4_u2_bf16, bf16, 4, 2)
ROWS_KERNEL(attention_rows_l4_u4_bf16, bf16, 4, 4)
ROWS_KERNEL(attention_rows_l4_u8_bf16, bf16, 4, 8)
ROWS_KERNEL(attention_rows_l8_u2_bf16, bf16, 8, 2)
ROWS_KERNEL(attention_rows_l8_u4_bf16, bf16, 8, 4)
ROWS_KERNEL(attention_rows_l8_u8_bf16, bf16, 8, 8)
ROWS_KERNEL(attention_rows_l16_u2_bf16, bf16, 16, 2)
ROWS_KERNEL(attention_rows_l16_u4_bf16, bf16, 16, 4)
ROWS_KERNEL(attention_rows_l16_u8_bf16, bf16, 16, 8)
ROWS_KERNEL(attention_rows_l32_u2_bf16, bf16, 32, 2)
ROWS_KERNEL(attention_rows_l32_u4_bf16, bf16, 32, 4)
ROWS_KERNEL(attention_rows_l32_u8_bf16, bf16, 32, 8)
ROWS_KERNEL(attention_rows_l2_u2_f32, float, 2, 2)
ROWS_KERNEL(attention_rows_l2_u4_f32, float, 2, 4)
ROWS_KERNEL(attention_rows_l2_u8_f32, float, 2, 8)
ROWS_KERNEL(attention_rows_l4_u2_f32, float, 4, 2)
ROWS_KERNEL(attention_rows_l4_u4_f32, float, 4, 4)
ROWS_KERNEL(attention_rows_l4_u8_f32, float, 4, 8)
ROWS_KERNEL(attention_rows_l8_u2_f32, float, 8, 2)
ROWS_KERNEL(attention_rows_l8_u4_f32, float, 8, 4)
ROWS_KERNEL(attention_rows_l8_u8_f32, float, 8, 8)
ROWS_KERNEL(attention_rows_l16_u2_f32, float, 16, 2)
ROWS_KERNEL(attention_rows_l16_u4_f32, float, 16, 4)
ROWS_KERNEL(attention_rows_l16_u8_f32, float, 16, 8)
ROWS_KERNEL(attention_rows_l32_u2_f32, float, 32, 2)
ROWS_KERNEL(attention_rows_l32_u4_f32, float, 32, 4)
ROWS_KERNEL(attention_rows_l32_u8_f32, float, 32, 8)

extern "C" __global__ void attention_rows_combine_bf16(
    const float* partial, const int* single, int headCount, int splits, int headDim, bf16* out) {
    attention_rows_combine(partial, single, headCount, splits, headDim, out);
}

extern "C" __global__ void attention_rows_combine_f32(
    const float* partial, const int* single, int headCount, int splits, int headDim, float* out) {
    attention_rows_combine(partial, single, headCount, splits, headDim, out);
}

#define TILES_KERNEL(NAME, S, D)                                                                                   \
    extern "C" __global__ void __launch_bounds__(TILE_WARPS * 32) NAME(                                            \
        const float* q, const S* pool, const int* tiles, const int* pageTables, int tableStride,                   \
        int sequenceCount, int layer, int layerCount, int tokensPerPage, int kvWidth, int poolPages,               \
        int pageHeadDim, int headCount, int kvHeadCount, float scale, S* out) {                                    \
        attention_tiles<S, D>(q, pool, tiles, pageTables, tableStride, sequenceCount, layer, layerCount,           \
                              tokensPerPage, kvWidth, poolPages, pageHeadDim, headCount, kvHeadCount, scale, out); \
    }

TILES_KERNEL(attention_tiles_d64_bf16, bf16, 64)
TILES_KERNEL(attention_tiles_d128_bf16, bf16, 128)
TILES_KERNEL(attention_tiles_d64_f32, float, 64)
TILES_KERNEL(attention_tiles_d128_f32, float, 128)
