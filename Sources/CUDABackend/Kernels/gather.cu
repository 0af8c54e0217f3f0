// gather.cu: row gathers and fills. gather_rows copies the logit rows' hidden states (storage type);
// fill_random writes seeded uniform values (dummy weights, random adapters, random KV) from a
// counter-based SplitMix64, so the same seed gives the same tensor on every run.
#include "common.cuh"

/// out[i, c] = x[rows[i], c]. Grid: one block per output row.
template <typename S>
__device__ void gather_rows(const S* x, const int* rows, int rowCount, int sourceRows, int width, S* out) {
    const int i = blockIdx.x;
    if (i >= rowCount) return;
    int row = rows[i];
    if (!slora_ok(row >= 0 && row < sourceRows, FAULT_ROW, row, i)) row = 0;
    const S* src = x + (long long)row * width;
    S* dst = out + (long long)i * width;
    for (int c = threadIdx.x; c < width; c += blockDim.x) dst[c] = src[c];
}

extern "C" __global__ void gather_rows_bf16(const bf16* x, const int* rows, int rowCount, int sourceRows, int width, bf16* out) {
    gather_rows(x, rows, rowCount, sourceRows, width, out);
}

extern "C" __global__ void gather_rows_f32(const float* x, const int* rows, int rowCount, int sourceRows, int width, float* out) {
    gather_rows(x, rows, rowCount, sourceRows, width, out);
}

/// SplitMix64 of (seed, index) → uniform in [0, 1) with 24 random bits.
__device__ __forceinline__ float uniform01(unsigned long long seed, unsigned long long index) {
    unsigned long long z = seed + (index + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * (1.0f / 16777216.0f);
}

/// out[i] = offset + scale · (2u − 1), u uniform in [0, 1). Grid-stride; blockIdx.y picks one of
/// `segments` equal segments of `segmentLength` elements starting at out + segmentStarts[y]
/// (segmentStarts nullptr: one segment at out).
template <typename S>
__device__ void fill_random(S* out, const long long* segmentStarts, long long segmentLength, unsigned long long seed,
                            float scale, float offset) {
    const long long start = segmentStarts == nullptr ? 0 : segmentStarts[blockIdx.y];
    const unsigned long long segmentSeed = seed ^ ((unsigned long long)start * 0xD1B54A32D192ED03ULL);
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < segmentLength; i += (long long)gridDim.x * blockDim.x) {
        const float u = uniform01(segmentSeed, (unsigned long long)i);
        out[start + i] = from_float<S>(offset + scale * (2.0f * u - 1.0f));
    }
}

extern "C" __global__ void fill_random_bf16(bf16* out, const long long* segmentStarts, long long segmentLength,
                                            unsigned long long seed, float scale, float offset) {
    fill_random(out, segmentStarts, segmentLength, seed, scale, offset);
}

extern "C" __global__ void fill_random_f32(float* out, const long long* segmentStarts, long long segmentLength,
                                           unsigned long long seed, float scale, float offset) {
    fill_random(out, segmentStarts, segmentLength, seed, scale, offset);
}
