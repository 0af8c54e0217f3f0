// silu_mul.cu: out[i] = silu(gate[i]) · up[i], silu(g) = g / (1 + e^−g); gate and up are f32 projection
// outputs, out is the down projection's input (storage type). Grid-stride over count.
#include "common.cuh"

template <typename S>
__device__ void silu_mul(const float* gate, const float* up, S* out, long long count) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
        const float g = gate[i];
        out[i] = from_float<S>(g / (1.0f + expf(-g)) * up[i]);
    }
}

extern "C" __global__ void silu_mul_bf16(const float* gate, const float* up, bf16* out, long long count) {
    silu_mul(gate, up, out, count);
}

extern "C" __global__ void silu_mul_f32(const float* gate, const float* up, float* out, long long count) {
    silu_mul(gate, up, out, count);
}
