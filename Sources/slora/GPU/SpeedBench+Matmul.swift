// gpu-check speed, matmul part: µs per base-model matmul of a decode step (weights [N, K] bf16, T rows)
// on each kernel that can run it (gemv.cu for T ≤ 16, cuBLAS always), against its bytes floor
// (weights + x + out over the measured copy bandwidth). Weights rotate among copies larger than L2 together,
// so every run streams its weights from HBM as a decode step does.

import Backend
import CUDABackend
import CUDADriver
import Foundation

extension SpeedBench {
    func matmuls(report: CheckReport, bandwidth: Double) throws {
        let shapes: [(k: Int, n: Int, label: String)] = [
            (4096, 4096, "4096→4096 (q/o)"), (4096, 11008, "4096→11008 (gate/up)"), (11008, 4096, "11008→4096 (down)"),
            (4096, 32000, "4096→32000 (lm_head)"),
        ]
        let rowCounts = [1, 2, 4, 8, 16, 32]
        let repeats = 20
        report.notes.append(
            "Base-model matmuls of a llama-7b decode step, bf16 weights [N, K], T rows of x; µs per matmul from \(repeats) "
                + "rounds over weight copies totalling ≥ 256 MB (so each run reads its weights from HBM), captured in a CUDA "
                + "graph. gemv = gemv.cu (used for T ≤ \(backend.gemvMaxRows) by default), cublas = cublasGemmEx. "
                + "Floor: weights + x + out bytes over the copy bandwidth.")
        for shape in shapes {
            let bytes = shape.k * shape.n * backend.storage.byteSize
            let copies = max(2, (256 << 20) / bytes + 1)
            let weights = (0..<copies).map {
                backend.makeRandomWeight(rows: shape.n, cols: shape.k, seed: UInt64(100 + $0), scale: 0.02)
            }
            for rows in rowCounts {
                let x = backend.makeRandomTensor(count: rows * shape.k, precision: .compact, seed: 5, scale: 1)
                let out = backend.makeTensor(count: rows * shape.n, precision: .full)
                var kernels: [LaunchGeometry.MatmulPath] = [.cublas]
                if backend.storage == .bf16 && LaunchGeometry.gemvApplies(rows: rows, k: shape.k, n: shape.n) {
                    kernels.insert(.gemv, at: 0)
                }
                let floorUs =
                    Double(bytes + rows * shape.k * backend.storage.byteSize + rows * shape.n * 4) / bandwidth * 1e6
                var best: (String, Double)?
                for kernel in kernels {
                    backend.matmulPathOverride = kernel
                    defer { backend.matmulPathOverride = nil }
                    let body = {
                        for w in weights { backend.matmul(x, rows: rows, weight: w, out: out) }
                    }
                    let perRound = (try? backend.timeGraph(perGraph: repeats, replays: 3, body))
                        ?? backend.timeGPU(iterations: repeats, warmup: 2, body)
                    let us = perRound * 1000 / Double(copies)
                    if best == nil || us < best!.1 { best = (kernel.rawValue, us) }
                    let chosen = backend.matmulPath(rows: rows, k: shape.k, n: shape.n) == kernel
                    report.add(
                        [
                            shape.label, "\(rows)", kernel.rawValue + (chosen ? " (default)" : ""), CheckFormat.fixed(us, 1),
                            CheckFormat.fixed(floorUs, 1), CheckFormat.fixed(us / floorUs),
                            CheckFormat.fixed(Double(bytes) / (us / 1e6) / 1e9, 0),
                        ],
                        record: [
                            "k": shape.k, "n": shape.n, "rows": rows, "kernel": kernel.rawValue, "us": us, "floorUs": floorUs,
                            "default": chosen,
                        ])
                }
                // Reset so the default path is used afterwards.
                backend.matmulPathOverride = nil
                if let best, kernels.count > 1 { report.metadata["best \(shape.k)x\(shape.n) T\(rows)"] = best.0 }
            }
        }
    }
}
