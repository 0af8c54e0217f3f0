// rope.cu: rotate-half RoPE in place on f32 q or k, `[T, heads, headDim]`; element j pairs with j + d/2.
// θ = position · invFreq[j] in f32 with precise sinf/cosf (no fast math), as the CPU reference.
// Grid: one block per token; threads stride over (head, j).
#include "common.cuh"

extern "C" __global__ void rope_f32(float* x, const int* positions, const float* inverseFrequencies, int heads, int headDim) {
    const int t = blockIdx.x;
    const int half = headDim / 2;
    const float position = (float)positions[t];
    for (int i = threadIdx.x; i < heads * half; i += blockDim.x) {
        const int h = i / half;
        const int j = i - h * half;
        const float theta = position * inverseFrequencies[j];
        const float c = cosf(theta);
        const float s = sinf(theta);
        float* row = x + ((long long)t * heads + h) * headDim;
        const float a = row[j];
        const float b = row[j + half];
        row[j] = a * c - b * s;
        row[j + half] = b * c + a * s;
    }
}
