// gemv.cu: the skinny matmul of decode steps, out[t, n] = Σ_k x[t, k] · W[n, k] for T ≤ 16 rows (bf16 x and
// W, f32 out, f32 accumulation). cuBLAS's GEMM tiles waste most of the weight bandwidth at 1–8 rows; this
// kernel streams W exactly once with 16-byte loads and keeps the T rows of x hot in L1/L2.
// Block: GEMV_THREADS threads own GEMV_ROWS consecutive output rows n and split K among themselves
// (thread i reads 8-element vectors i, i + GEMV_THREADS, …, coalesced across the block); every thread
// accumulates a [TR, GEMV_ROWS] tile in registers, then the block reduces it (shuffles, then shared memory).
// Needs K % 8 == 0 and 16-byte aligned x and W (cuMemAlloc bases; row strides K·2 bytes). TR is the
// compile-time row capacity (1, 2, 4, 8, 16); rows t ≥ T are neither read nor written.
#include "common.cuh"

#define GEMV_THREADS 128
#define GEMV_ROWS 4

/// 8 bf16 (one 16-byte word) · 8 bf16 → f32 dot product.
__device__ __forceinline__ float dot8(const uint4& a, const uint4& b) {
    float a0, a1, b0, b1, s = 0.0f;
    unpack_bf16x2(a.x, a0, a1); unpack_bf16x2(b.x, b0, b1); s = fmaf(a0, b0, s); s = fmaf(a1, b1, s);
    unpack_bf16x2(a.y, a0, a1); unpack_bf16x2(b.y, b0, b1); s = fmaf(a0, b0, s); s = fmaf(a1, b1, s);
    unpack_bf16x2(a.z, a0, a1); unpack_bf16x2(b.z, b0, b1); s = fmaf(a0, b0, s); s = fmaf(a1, b1, s);
    unpack_bf16x2(a.w, a0, a1); unpack_bf16x2(b.w, b0, b1); s = fmaf(a0, b0, s); s = fmaf(a1, b1, s);
    return s;
}

/// Grid (ceil(N / GEMV_ROWS)), block GEMV_THREADS. x [T, K] bf16, w [N, K] bf16, out [T, N] f32.
template <int TR>
__device__ void gemv_bf16(const bf16* x, const bf16* w, float* out, int T, int N, int K) {
    const int n0 = blockIdx.x * GEMV_ROWS;
    const int vectors = K >> 3;  // 8-element vectors per row
    const uint4* wv[GEMV_ROWS];
#pragma unroll
    for (int r = 0; r < GEMV_ROWS; ++r) {
        const int n = min(n0 + r, N - 1);  // rows past N re-read the last row; never stored
        wv[r] = reinterpret_cast<const uint4*>(w + (long long)n * K);
    }
    const uint4* xv = reinterpret_cast<const uint4*>(x);
    float acc[TR][GEMV_ROWS];
#pragma unroll
    for (int t = 0; t < TR; ++t) {
#pragma unroll
        for (int r = 0; r < GEMV_ROWS; ++r) acc[t][r] = 0.0f;
    }
#pragma unroll 2
    for (int v = threadIdx.x; v < vectors; v += GEMV_THREADS) {
        uint4 wr[GEMV_ROWS];
#pragma unroll
        for (int r = 0; r < GEMV_ROWS; ++r) wr[r] = __ldcs(wv[r] + v);  // streamed once: do not keep in L1
#pragma unroll
        for (int t = 0; t < TR; ++t) {
            if (t < T) {
                const uint4 xr = __ldg(xv + (long long)t * vectors + v);  // re-read by every block: cached
#pragma unroll
                for (int r = 0; r < GEMV_ROWS; ++r) acc[t][r] += dot8(wr[r], xr);
            }
        }
    }
    // Reduce each acc[t][r] over the block: warp shuffles, then one partial per warp in shared memory.
    __shared__ float partial[GEMV_THREADS / 32][TR * GEMV_ROWS];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
#pragma unroll
    for (int t = 0; t < TR; ++t) {
#pragma unroll
        for (int r = 0; r < GEMV_ROWS; ++r) {
            const float s = warp_sum(acc[t][r]);
            if (lane == 0) partial[warp][t * GEMV_ROWS + r] = s;
        }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < TR * GEMV_ROWS; i += GEMV_THREADS) {
        const int t = i / GEMV_ROWS;
        const int n = n0 + (i - t * GEMV_ROWS);
        if (t < T && n < N) {
            float s = 0.0f;
#pragma unroll
            for (int w2 = 0; w2 < GEMV_THREADS / 32; ++w2) s += partial[w2][i];
            out[(long long)t * N + n] = s;
        }
    }
}

#define GEMV(NAME, TR)                                                                                              \
    extern "C" __global__ void __launch_bounds__(GEMV_THREADS) NAME(                                                \
        const bf16* x, const bf16* w, float* out, int T, int N, int K) {                                           \
        gemv_bf16<TR>(x, w, out, T, N, K);                                                                          \
    }

GEMV(gemv_t1_bf16, 1)
GEMV(gemv_t2_bf16, 2)
GEMV(gemv_t4_bf16, 4)
GEMV(gemv_t8_bf16, 8)
GEMV(gemv_t16_bf16, 16)
