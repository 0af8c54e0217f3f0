// rms_norm.cu: RMSNorm of the f32 residual stream into the storage type (a matmul input), optionally
// fused with the residual add that precedes it, and the plain residual add.
// Semantics (ComputeBackend): r = 1 / sqrt(mean_c(x²) + eps); out = weight · (x · r).
// Grid: one block per row (blockDim a multiple of 32); each thread owns columns c ≡ tid (mod blockDim).
#include "common.cuh"

template <typename S>
__device__ void rms_norm_row(float* x, const float* delta, const float* weight, float eps, int width, S* out) {
    const long long base = (long long)blockIdx.x * width;
    float* row = x + base;
    float sum = 0.0f;
    for (int c = threadIdx.x; c < width; c += blockDim.x) {
        float v = row[c];
        if (delta != nullptr) {
            v += delta[base + c];
            row[c] = v;
        }
        sum += v * v;
    }
    sum = block_sum(sum);
    const float r = 1.0f / sqrtf(sum / (float)width + eps);
    for (int c = threadIdx.x; c < width; c += blockDim.x) out[base + c] = from_float<S>(weight[c] * (row[c] * r));
}

extern "C" __global__ void rms_norm_bf16(float* x, const float* weight, float eps, int width, bf16* out) {
    rms_norm_row(x, nullptr, weight, eps, width, out);
}

extern "C" __global__ void rms_norm_f32(float* x, const float* weight, float eps, int width, float* out) {
    rms_norm_row(x, nullptr, weight, eps, width, out);
}

extern "C" __global__ void add_rms_norm_bf16(
    float* residual, const float* delta, const float* weight, float eps, int width, bf16* out) {
    rms_norm_row(residual, delta, weight, eps, width, out);
}

extern "C" __global__ void add_rms_norm_f32(
    float* residual, const float* delta, const float* weight, float eps, int width, float* out) {
    rms_norm_row(residual, delta, weight, eps, width, out);
}

/// x[i] += delta[i] for i < count (grid-stride).
extern "C" __global__ void add_f32(float* x, const float* delta, long long count) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
        x[i] += delta[i];
    }
}
