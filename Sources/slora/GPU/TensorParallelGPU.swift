// Tensor parallelism on the GPUs of this host: one NCCL communicator per GPU (NVLink multicast off),
// then a TensorParallelRunner whose rank r opens GPU r on its own thread with its own CUDA backend,
// NCCL collective, weights and pool. Rank 0's backend is on GPU 0 in every world size.

import Backend
import CUDABackend
import CUDADriver
import Checkpoint
import Foundation
import Llama
import MemoryPool

/// How ranks' backends are opened.
struct TensorParallelGPU {
    var storage: CUDAElementType = .bf16
    var debug = false
    var graphs = true
    /// Every rank on GPU 0 with a host-relay all-reduce instead of NCCL (`--one-gpu`): checks the
    /// sharded math on a single GPU; CUDA graphs are off (the relay synchronizes).
    var oneGPU = false

    /// GPUs the driver sees (0 without a driver).
    static func deviceCount() -> Int {
        guard let driver = try? DriverAPI.load(), driver.cuInit(0) == 0 else { return 0 }
        var count: Int32 = 0
        return driver.cuDeviceGetCount(&count) == 0 ? Int(count) : 0
    }

    /// `worldSize` ranks of `config` on GPUs `0..<worldSize`, each with `pageCount` pool pages and the
    /// weights `weights(backend, shard)` makes on its GPU.
    func makeRunner(
        config: LlamaConfiguration, worldSize: Int, pageCount: Int,
        weights: (CUDAComputeBackend, TensorParallelShard) -> LlamaWeights<CUDAComputeBackend>
    ) throws -> TensorParallelRunner<CUDAComputeBackend> {
        try config.validateTensorParallel(worldSize: worldSize)
        let available = Self.deviceCount()
        let needed = oneGPU ? 1 : worldSize
        guard available >= needed else { throw NCCLError.notEnoughDevices(requested: needed, available: available) }
        var communicators: [NCCLCommunicator] = []
        let relay = HostRelayGroup(worldSize: worldSize)
        if worldSize > 1 && !oneGPU {
            let api = try NCCLAPI.load()
            tensorParallelLog("NCCL \(api.versionString) from \(api.libraryPath); NCCL_NVLS_ENABLE=0")
            communicators = try NCCLCommunicator.group(api: api, devices: Array(0..<worldSize))
        }
        let storage = storage
        let options = CUDAComputeBackend.Options(debug: debug, graphs: graphs && !oneGPU)
        let oneGPU = oneGPU
        let start = DispatchTime.now()
        let runner = try TensorParallelRunner<CUDAComputeBackend>(worldSize: worldSize, threadName: "slora-gpu") { rank in
            let context = try CUDAContext.open(ordinal: oneGPU ? 0 : rank)
            let backend = try CUDAComputeBackend(context: context, storage: storage, options: options)
            let shard = TensorParallelShard(rank: rank, worldSize: worldSize)
            var collective: (any Collective<CUDATensor>)? = nil
            if worldSize > 1 {
                collective =
                    oneGPU
                    ? HostRelayCollective(group: relay, rank: rank, backend: backend)
                    : NCCLCollective(communicator: communicators[rank], backend: backend)
            }
            let model = LlamaModel(config: config, weights: weights(backend, shard), backend: backend, collective: collective)
            let pool = backend.makePool(pageCount: pageCount, geometry: model.geometry)
            backend.synchronize()
            let memory = try context.memoryInfo()
            tensorParallelLog(
                "rank \(rank)/\(worldSize): \(context.summary); \((memory.total - memory.free) >> 30) GiB in use, "
                    + "\(memory.free >> 30) GiB free")
            return TensorParallelRank(model: model, pool: pool)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        tensorParallelLog("\(worldSize) rank(s) of a \(config.layerCount)-layer model ready in \(String(format: "%.1f", seconds)) s")
        return runner
    }

    /// Waits for every rank's queued work.
    static func synchronize(_ runner: TensorParallelRunner<CUDAComputeBackend>) {
        _ = runner.perform { $0.backend.synchronize() }
    }
}

/// A progress line on stderr.
func tensorParallelLog(_ line: String) {
    FileHandle.standardError.write(Data("[gpu-check tp] \(line)\n".utf8))
}
