// tiled_attention.cu: attention for the tokens of prefill chunks (same semantics as paged_attention.cu's:
// for token t, head h, g = h / (H / KVH): out[t,h] = Σ_p softmax_p(scale · q[t,h]·K(seq t, p, g)) · V(seq t, p, g)
// over p = 0…pos(t)).
//
// attention_tiles: one block per (query tile, head): a tile is up to TILE_Q consecutive tokens of one
// sequence at consecutive positions (a prefill chunk). K/V blocks of TILE_K positions are loaded once
// into shared memory and used by every query of the tile (instead of once per query): scores and P·V
// in f32 from shared memory, online softmax per query row. Needs headDim 64 or 128 and 8-aligned K/V
// rows; the other tokens of a step go to paged_attention.cu's per-token kernel, which skips tiled ones.
#include "common.cuh"

#define TILE_Q 16
#define TILE_K 32
#define TILE_WARPS 4

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
                    table, tableStride, p, layer, layerCount, tokensPerPage, kvWidth, poolPages, 0, pageHeadDim,
                    kv_column_base(g * D + d, tokensPerPage, pageHeadDim));
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
