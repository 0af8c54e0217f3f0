// embedding.cu: out[t, c] = table[tokens[t], c], the residual stream's first value (f32) read from the
// embedding table in the backend's storage type. Grid: one block per token.
#include "common.cuh"

template <typename S>
__device__ void embed(const S* table, const int* tokens, float* out, int width, int vocabulary) {
    const int t = blockIdx.x;
    int token = tokens[t];
    if (!slora_ok(token >= 0 && token < vocabulary, FAULT_TOKEN_ID, token, t)) token = 0;
    const S* row = table + (long long)token * width;
    float* o = out + (long long)t * width;
    for (int c = threadIdx.x; c < width; c += blockDim.x) o[c] = to_float(row[c]);
}

extern "C" __global__ void embed_bf16(const bf16* table, const int* tokens, float* out, int width, int vocabulary) {
    embed(table, tokens, out, width, vocabulary);
}

extern "C" __global__ void embed_f32(const float* table, const int* tokens, float* out, int width, int vocabulary) {
    embed(table, tokens, out, width, vocabulary);
}
