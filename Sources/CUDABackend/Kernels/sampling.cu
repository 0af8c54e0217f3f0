// sampling.cu: one token per logits row on the GPU, the same rule as SamplingRow / CPUBackend.sampleRow.
// temperature ≤ 0: argmax, lowest id on ties. Otherwise, in the CPU's order (logit descending, id
// ascending) with weights w_i = exp((l_i − max) / T) in double: keep the top k (k = 0: all), then the
// smallest prefix whose mass reaches topP · total, then draw the first element whose inclusive
// cumulative weight exceeds uniform · (kept mass); `uniform` is SamplingRow.uniform, computed on the host.
//
// No sort: every element gets a distinct 64-bit key (order-preserving logit bits, then ~id), and each of
// the three cuts is found by a radix descent over the key, 8 bits per pass, with per-bin counts and
// masses in shared memory. Results equal the CPU's except where rounding of the double sums decides
// a boundary (probability ~1e-15 per draw). Grid: one block per row, SAMPLE_THREADS threads.
#include "common.cuh"

#define SAMPLE_THREADS 1024

__device__ __forceinline__ unsigned long long order_key(float logit, int id) {
    unsigned int bits = __float_as_uint(logit);
    bits = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
    return ((unsigned long long)bits << 32) | (unsigned long long)(0xffffffffu - (unsigned int)id);
}

__device__ __forceinline__ int key_id(unsigned long long key) { return (int)(0xffffffffu - (unsigned int)(key & 0xffffffffull)); }

/// The key κ among keys ≥ floorKey at which the running total, walking keys from largest down, first
/// reaches `goal` (strict: exceeds it). Totals are element counts (COUNT) or weights exp((l − top)/T).
/// When rounding keeps the goal out of reach, the smallest such key. Every thread gets the result.
template <bool COUNT>
__device__ unsigned long long radix_select(
    const float* row, int vocabulary, double top, double temperature, unsigned long long floorKey, double goal,
    bool strict) {
    __shared__ double binMass[256];
    __shared__ unsigned int binCount[256];
    __shared__ unsigned long long sharedPrefix;
    __shared__ double sharedAbove;
    unsigned long long prefix = 0;
    double above = 0.0;
    for (int shift = 56; shift >= 0; shift -= 8) {
        __syncthreads();
        for (int b = threadIdx.x; b < 256; b += blockDim.x) {
            binMass[b] = 0.0;
            binCount[b] = 0;
        }
        __syncthreads();
        const unsigned long long highMask = shift == 56 ? 0ull : (~0ull << (shift + 8));
        int runBin = -1;
        double runMass = 0.0;
        unsigned int runCount = 0;
        for (int i = threadIdx.x; i < vocabulary; i += blockDim.x) {
            const float logit = row[i];
            const unsigned long long key = order_key(logit, i);
            if (key < floorKey || (key & highMask) != prefix) continue;
            const int bin = (int)((key >> shift) & 0xffull);
            const double w = COUNT ? 1.0 : exp(((double)logit - top) / temperature);
            if (bin != runBin) {
                if (runBin >= 0) {
                    atomicAdd(&binMass[runBin], runMass);
                    atomicAdd(&binCount[runBin], runCount);
                }
                runBin = bin;
                runMass = 0.0;
                runCount = 0;
            }
            runMass += w;
            runCount += 1;
        }
        if (runBin >= 0) {
            atomicAdd(&binMass[runBin], runMass);
            atomicAdd(&binCount[runBin], runCount);
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            int chosen = -1;
            int lowest = -1;
            for (int b = 255; b >= 0; --b) {
                if (binCount[b] == 0) continue;
                lowest = b;
                const double next = above + binMass[b];
                if (strict ? (next > goal) : (next >= goal)) {
                    chosen = b;
                    break;
                }
                above = next;
            }
            if (chosen < 0) {  // out of reach: take the smallest key
                chosen = lowest < 0 ? 0 : lowest;
                if (lowest >= 0) above -= binMass[lowest];
            }
            sharedPrefix = prefix | ((unsigned long long)chosen << shift);
            sharedAbove = above;
        }
        __syncthreads();
        prefix = sharedPrefix;
        above = sharedAbove;
    }
    return prefix;
}

/// Σ weight (or count) of the elements with key ≥ floorKey; every thread gets it.
__device__ double mass_above(const float* row, int vocabulary, double top, double temperature, unsigned long long floorKey) {
    double sum = 0.0;
    for (int i = threadIdx.x; i < vocabulary; i += blockDim.x) {
        const float logit = row[i];
        if (order_key(logit, i) >= floorKey) sum += exp(((double)logit - top) / temperature);
    }
    return block_sum_double(sum);
}

/// Grid: one block per row, blockDim SAMPLE_THREADS. Per row r: temperatures[r], topPs[r], topKs[r],
/// uniforms[r]; the chosen id goes to out[r].
extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS) sample_rows(
    const float* logits, int vocabulary, const float* temperatures, const float* topPs, const int* topKs,
    const double* uniforms, int* out) {
    const int r = blockIdx.x;
    const float* row = logits + (long long)r * vocabulary;
    const float temperature = temperatures[r];
    if (temperature <= 0.0f) {
        // Argmax: each thread scans ascending ids keeping the first maximum, then the block keeps the
        // larger value, the lower id on ties.
        float best = SLORA_NEG_INF;
        int bestId = vocabulary;
        for (int i = threadIdx.x; i < vocabulary; i += blockDim.x) {
            const float v = row[i];
            if (v > best) {
                best = v;
                bestId = i;
            }
        }
        __shared__ float bestValues[32];
        __shared__ int bestIds[32];
        for (int offset = 16; offset > 0; offset >>= 1) {
            const float otherValue = __shfl_xor_sync(0xffffffffu, best, offset);
            const int otherId = __shfl_xor_sync(0xffffffffu, bestId, offset);
            if (otherValue > best || (otherValue == best && otherId < bestId)) {
                best = otherValue;
                bestId = otherId;
            }
        }
        const int lane = threadIdx.x & 31;
        const int warp = threadIdx.x >> 5;
        if (lane == 0) {
            bestValues[warp] = best;
            bestIds[warp] = bestId;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int w = 1; w < (int)(blockDim.x >> 5); ++w) {
                if (bestValues[w] > best || (bestValues[w] == best && bestIds[w] < bestId)) {
                    best = bestValues[w];
                    bestId = bestIds[w];
                }
            }
            out[r] = bestId < vocabulary ? bestId : 0;
        }
        return;
    }
    float localMax = SLORA_NEG_INF;
    for (int i = threadIdx.x; i < vocabulary; i += blockDim.x) localMax = fmaxf(localMax, row[i]);
    const double top = (double)block_max(localMax);
    const double t = (double)temperature;
    const int topK = topKs[r];
    unsigned long long floorKey = 0;
    if (topK > 0 && topK < vocabulary) floorKey = radix_select<true>(row, vocabulary, top, t, 0, (double)topK, false);
    const float topP = topPs[r];
    if (topP < 1.0f) {
        const double total = mass_above(row, vocabulary, top, t, floorKey);
        floorKey = radix_select<false>(row, vocabulary, top, t, floorKey, (double)topP * total, false);
    }
    const double kept = mass_above(row, vocabulary, top, t, floorKey);
    const unsigned long long chosen = radix_select<false>(row, vocabulary, top, t, floorKey, uniforms[r] * kept, true);
    if (threadIdx.x == 0) out[r] = key_id(chosen);
}
