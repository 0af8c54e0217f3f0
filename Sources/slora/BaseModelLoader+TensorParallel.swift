// `--tensor-parallel N`: the base model split over N ranks (Megatron-style, S-LoRA's scheme for the
// adapters) behind one TensorParallelExecutor, so the engine's one scheduler drives them all. cpu: N
// in-process ranks with in-memory collectives, sharing --threads. cuda: rank r on GPU r with an NCCL
// communicator, opened as `slora gpu-check tp` opens its ranks (TensorParallelGPU).

import Backend
import CPUBackend
import CUDABackend
import Checkpoint
import Engine
import Llama
import MemoryPool

extension BaseModelLoader {
    /// `options.tensorParallel` CPU ranks in this process, each with `threads / N` threads (at least 1).
    /// - Throws: `TensorParallelError` when the model does not split over N ranks.
    static func cpuRanks(_ opened: BaseModelSource.Opened, options: EngineOptions) throws -> LoadedBaseModel<CPUBackend> {
        let worldSize = options.tensorParallel
        let threads = max(1, (options.threads ?? CPUBackend.defaultThreadCount) / worldSize)
        let group = InProcessCollectiveGroup(worldSize: worldSize)
        let bytes = options.poolMemory.map { $0 << 20 } ?? defaultCPUPoolBytes
        let executor = try TensorParallelExecutor<CPUBackend>(
            config: opened.config, worldSize: worldSize, threadName: "slora-cpu-rank",
            pageCount: { pageCount($0, elementBytes: 4, byteBudget: bytes) }
        ) { rank in
            let backend = CPUBackend(threadCount: threads)
            return try opened.model(on: backend, collective: group.endpoint(rank: rank)) { shard in
                HostDummyWeights.weights(config: opened.config, backend: backend, seed: opened.seed, shard: shard)
            }
        }
        return LoadedBaseModel(
            executor: executor, opened: opened, poolElementBytes: 4,
            device: "cpu f32, tensor-parallel \(worldSize) ranks × \(threads) threads")
    }

    /// `options.tensorParallel` ranks on GPUs `0..<N` in bf16 with NCCL. Without `--pool-memory`, rank 0
    /// sizes every rank's pool from the memory its weights left free.
    /// - Throws: `TensorParallelError` when the model does not split over N ranks,
    ///   `NCCLError.notEnoughDevices` when the driver sees fewer than N GPUs, CUDA and NCCL errors.
    static func cudaRanks(_ opened: BaseModelSource.Opened, options: EngineOptions) throws -> LoadedBaseModel<CUDAComputeBackend> {
        let worldSize = options.tensorParallel
        let defaults = CUDAComputeBackend.Options()
        let gpu = TensorParallelGPU(storage: .bf16, debug: defaults.debug, graphs: defaults.graphs)
        let group = try gpu.makeGroup(config: opened.config, worldSize: worldSize)
        let mebibytes = options.poolMemory
        let loraPath = options.loraKernels.cudaPathOverride
        let executor = try TensorParallelExecutor<CUDAComputeBackend>(
            config: opened.config, worldSize: worldSize, threadName: "slora-gpu",
            pageCount: { model in
                let bytes = mebibytes.map { $0 << 20 } ?? defaultCUDAPoolBytes(model.backend)
                return pageCount(model, elementBytes: model.backend.storage.byteSize, byteBudget: bytes)
            }
        ) { rank in
            let (backend, collective) = try gpu.openRank(rank, of: group)
            backend.loraPathOverride = loraPath
            return try opened.model(on: backend, collective: collective) { shard in
                TensorParallelDummy.weights(config: opened.config, shard: shard, backend: backend, seed: opened.seed, exact: true)
            }
        }
        _ = executor.runner.perform { rank in
            try? TensorParallelGPU.logMemory(rank: rank.rank, worldSize: worldSize, backend: rank.backend)
        }
        return LoadedBaseModel(
            executor: executor, opened: opened, poolElementBytes: gpu.storage.byteSize,
            device: "cuda \(gpu.storage.rawValue), tensor-parallel \(worldSize) GPUs\(loraKernelsNote(options))")
    }
}
