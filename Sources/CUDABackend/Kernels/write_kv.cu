// write_kv.cu: stores this step's K and V rows (f32) into their pool pages (storage type).
// Semantics: pool[kvOffset(seq(t), layer, pos(t), K, column c)] = k[t, c]; same for V (head-major pages).
// Grid: one block per token; threads stride over the kvWidth columns.
#include "common.cuh"

template <typename S>
__device__ void write_kv(
    const float* k, const float* v, S* pool, const int* positions, const int* tokenSequence, const int* pageTables,
    int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage, int kvWidth, int poolPages,
    int pageHeadDim) {
    const int t = blockIdx.x;
    int sequence = tokenSequence[t];
    if (!slora_ok(sequence >= 0 && sequence < sequenceCount, FAULT_SEQUENCE, sequence, t)) sequence = 0;
    int position = positions[t];
    if (!slora_ok(position >= 0, FAULT_POSITION, position, t)) position = 0;
    const int* table = pageTables + (long long)sequence * tableStride;
    const long long kBase = kv_offset(table, tableStride, position, layer, layerCount, tokensPerPage, kvWidth, poolPages, 0, pageHeadDim, 0);
    const long long vBase = kBase + (long long)tokensPerPage * kvWidth;
    const float* kRow = k + (long long)t * kvWidth;
    const float* vRow = v + (long long)t * kvWidth;
    for (int c = threadIdx.x; c < kvWidth; c += blockDim.x) {
        const long long o = kv_column_base(c, tokensPerPage, pageHeadDim);
        pool[kBase + o] = from_float<S>(kRow[c]);
        pool[vBase + o] = from_float<S>(vRow[c]);
    }
}

extern "C" __global__ void write_kv_bf16(
    const float* k, const float* v, bf16* pool, const int* positions, const int* tokenSequence, const int* pageTables,
    int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage, int kvWidth, int poolPages,
    int pageHeadDim) {
    write_kv(k, v, pool, positions, tokenSequence, pageTables, tableStride, sequenceCount, layer, layerCount,
             tokensPerPage, kvWidth, poolPages, pageHeadDim);
}

extern "C" __global__ void write_kv_f32(
    const float* k, const float* v, float* pool, const int* positions, const int* tokenSequence, const int* pageTables,
    int tableStride, int sequenceCount, int layer, int layerCount, int tokensPerPage, int kvWidth, int poolPages,
    int pageHeadDim) {
    write_kv(k, v, pool, positions, tokenSequence, pageTables, tableStride, sequenceCount, layer, layerCount,
             tokensPerPage, kvWidth, poolPages, pageHeadDim);
}
