// Tensor parallelism on the GPUs of this host: one NCCL communicator per GPU (NVLink multicast off),
// then a TensorParallelRunner whose rank r opens GPU r on its own thread with its own CUDA backend,
// NCCL collective, weights and pool. Rank 0's backend is on GPU 0 in every world size. gpu-check tp
// builds its runners here; `slora serve --tensor-parallel` opens its ranks with the same group/openRank.

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

    /// What the ranks of one group share: one NCCL communicator per GPU, or the host relay (`oneGPU`).
    final class Group: @unchecked Sendable {
        let worldSize: Int
        /// [worldSize] (empty for one rank or `oneGPU`).
        let communicators: [NCCLCommunicator]
        let relay: HostRelayGroup

        init(worldSize: Int, communicators: [NCCLCommunicator]) {
            self.worldSize = worldSize
            self.communicators = communicators
            self.relay = HostRelayGroup(worldSize: worldSize)
        }
    }

    /// Checks that `config` splits over `worldSize` ranks (`TensorParallelError`) and that the driver sees
    /// enough GPUs (`NCCLError.notEnoughDevices`), then makes the NCCL communicators of GPUs
    /// `0..<worldSize` (NVLink multicast off).
    func makeGroup(config: LlamaConfiguration, worldSize: Int) throws -> Group {
        try config.validateTensorParallel(worldSize: worldSize)
        let available = Self.deviceCount()
        let needed = oneGPU ? 1 : worldSize
        guard available >= needed else { throw NCCLError.notEnoughDevices(requested: needed, available: available) }
        var communicators: [NCCLCommunicator] = []
        if worldSize > 1 && !oneGPU {
            let api = try NCCLAPI.load()
            tensorParallelLog("NCCL \(api.versionString) from \(api.libraryPath); NCCL_NVLS_ENABLE=0")
            communicators = try NCCLCommunicator.group(api: api, devices: Array(0..<worldSize))
        }
        return Group(worldSize: worldSize, communicators: communicators)
    }

    /// Opens rank `rank`'s GPU (GPU `rank`; GPU 0 with `oneGPU`), its backend and its collective (nil for
    /// one rank). Call it on the rank's own thread, which then drives the backend.
    func openRank(_ rank: Int, of group: Group) throws -> (backend: CUDAComputeBackend, collective: (any Collective<CUDATensor>)?) {
        let context = try CUDAContext.open(ordinal: oneGPU ? 0 : rank)
        let backend = try CUDAComputeBackend(
            context: context, storage: storage, options: CUDAComputeBackend.Options(debug: debug, graphs: graphs && !oneGPU))
        guard group.worldSize > 1 else { return (backend, nil) }
        let collective: any Collective<CUDATensor> =
            oneGPU
            ? HostRelayCollective(group: group.relay, rank: rank, backend: backend)
            : NCCLCollective(communicator: group.communicators[rank], backend: backend)
        return (backend, collective)
    }

    /// Logs the memory in use on `backend`'s GPU once rank `rank`'s weights and pool are there.
    static func logMemory(rank: Int, worldSize: Int, backend: CUDAComputeBackend) throws {
        backend.synchronize()
        let memory = try backend.context.memoryInfo()
        tensorParallelLog(
            "rank \(rank)/\(worldSize): \(backend.context.summary); \((memory.total - memory.free) >> 30) GiB in use, "
                + "\(memory.free >> 30) GiB free")
    }

    /// `worldSize` ranks of `config` on GPUs `0..<worldSize`, each with `pageCount` pool pages and the
    /// weights `weights(backend, shard)` makes on its GPU.
    func makeRunner(
        config: LlamaConfiguration, worldSize: Int, pageCount: Int,
        weights: (CUDAComputeBackend, TensorParallelShard) -> LlamaWeights<CUDAComputeBackend>
    ) throws -> TensorParallelRunner<CUDAComputeBackend> {
        let group = try makeGroup(config: config, worldSize: worldSize)
        let start = DispatchTime.now()
        let runner = try TensorParallelRunner<CUDAComputeBackend>(worldSize: worldSize, threadName: "slora-gpu") { rank in
            let (backend, collective) = try openRank(rank, of: group)
            let shard = TensorParallelShard(rank: rank, worldSize: worldSize)
            let model = LlamaModel(config: config, weights: weights(backend, shard), backend: backend, collective: collective)
            let pool = backend.makePool(pageCount: pageCount, geometry: model.geometry)
            try Self.logMemory(rank: rank, worldSize: worldSize, backend: backend)
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
