// gpu-check tp, allreduce: NCCL itself before any model runs. Every rank (a thread per GPU, its own
// CUDA backend) sums tensors of known values in f32 and bf16 (values whose sums are exact in both)
// and checks every element; then the time of one in-place f32 all-reduce at the sizes a decode step
// all-reduces ([tokens, hidden]) and a large one (bus bandwidth: how the GPUs are linked).

import CUDABackend
import CUDADriver
import Foundation

struct TensorParallelAllReduceCheck {
    let worldSize: Int

    /// Element counts checked for exact sums.
    static let checkedCounts = [1, 4099, 1 << 22]
    /// Element counts timed: [tokens, 8192] for 1, 32 and 128 tokens, and 64 Mi elements (256 MB).
    static let timedCounts = [8192, 32 * 8192, 128 * 8192, 1 << 26]

    func run(report: CheckReport) throws {
        let api = try NCCLAPI.load()
        tensorParallelLog("NCCL \(api.versionString) from \(api.libraryPath); NCCL_NVLS_ENABLE=\(getenv("NCCL_NVLS_ENABLE").map { String(cString: $0) } ?? "unset")")
        report.metadata["ncclVersion"] = api.versionString
        report.metadata["ncclLibrary"] = api.libraryPath
        let communicators = try NCCLCommunicator.group(api: api, devices: Array(0..<worldSize))
        let results = Self.onRankThreads(worldSize) { rank -> Result<[[String: Any]], any Error> in
            Result { try Self.rankBody(communicator: communicators[rank]) }
        }
        var rows: [[String: Any]] = []
        for (rank, result) in results.enumerated() {
            switch result {
            case .success(let records): if rank == 0 { rows = records }
            case .failure(let error): report.fail("rank \(rank): \(error)")
            }
        }
        for record in rows {
            let kind = record["kind"] as? String ?? ""
            let count = record["count"] as? Int ?? 0
            if kind == "exact" {
                let wrong = record["wrongElements"] as? Int ?? -1
                report.add(
                    ["sum", record["type"] as? String ?? "", "\(count)", wrong == 0 ? "every element exact" : "\(wrong) wrong", "-", "-"],
                    record: record, passed: wrong == 0)
            } else {
                let us = record["microseconds"] as? Double ?? 0
                let busBandwidth = record["busGBps"] as? Double ?? 0
                report.add(
                    ["time", "f32", "\(count)", "-", CheckFormat.fixed(us, 1), CheckFormat.fixed(busBandwidth, 1)], record: record)
            }
        }
    }

    /// One rank: exact sums, then timings (every rank runs the same collectives in the same order).
    static func rankBody(communicator: NCCLCommunicator) throws -> [[String: Any]] {
        let rank = communicator.rank
        let n = communicator.worldSize
        let context = try CUDAContext.open(ordinal: communicator.device)
        var records: [[String: Any]] = []
        for storage in [CUDAElementType.f32, .bf16] {
            let backend = try CUDAComputeBackend(context: context, storage: storage)
            for count in checkedCounts {
                // Multiples of 1/16 up to 2: every partial sum of up to 128 ranks is exact in bf16 and f32.
                let values = (0..<count).map { Float(($0 &+ rank) % 31 + 1) / 16 }
                let tensor = backend.upload(values, precision: storage == .f32 ? .full : .compact)
                try communicator.allReduceSum(
                    address: tensor.address, count: count, type: storage == .f32 ? .float32 : .bfloat16, stream: backend.stream.handle)
                let out = backend.download(tensor, count: count)
                var wrong = 0
                for i in 0..<count {
                    let expected = (0..<n).reduce(Float(0)) { $0 + Float((i &+ $1) % 31 + 1) / 16 }
                    if out[i] != expected { wrong += 1 }
                }
                records.append(["kind": "exact", "type": storage.rawValue, "count": count, "wrongElements": wrong, "rank": rank])
            }
        }
        let backend = try CUDAComputeBackend(context: context, storage: .bf16)
        let start = try CUDAEvent(context: context)
        let end = try CUDAEvent(context: context)
        for count in timedCounts {
            let tensor = backend.makeRandomTensor(count: count, precision: .full, seed: UInt64(rank), scale: 1)
            let repeats = count >= 1 << 24 ? 10 : 100
            for _ in 0..<5 {
                try communicator.allReduceSum(address: tensor.address, count: count, type: .float32, stream: backend.stream.handle)
            }
            try start.record(on: backend.stream)
            for _ in 0..<repeats {
                try communicator.allReduceSum(address: tensor.address, count: count, type: .float32, stream: backend.stream.handle)
            }
            try end.record(on: backend.stream)
            try end.synchronize()
            let seconds = try end.milliseconds(since: start) / 1000 / Double(repeats)
            // NCCL's bus bandwidth of an all-reduce: bytes · 2(n − 1)/n per second.
            let busGBps = Double(count * 4) * 2 * Double(n - 1) / Double(max(n, 1)) / seconds / 1e9
            records.append(["kind": "time", "count": count, "microseconds": seconds * 1e6, "busGBps": busGBps, "rank": rank])
        }
        return records
    }

    /// Runs `body(rank)` on `count` new threads at once (collectives need every rank running) and
    /// returns the results in rank order.
    static func onRankThreads<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = ThreadResults<T>(count: count)
        let done = DispatchSemaphore(value: 0)
        for rank in 0..<count {
            let thread = Thread {
                results.set(rank, body(rank))
                done.signal()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        for _ in 0..<count { done.wait() }
        return results.values()
    }
}

/// Results written by rank threads, each its own index once.
private final class ThreadResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }
    func values() -> [T] { lock.withLock { slots.map { $0! } } }
}
