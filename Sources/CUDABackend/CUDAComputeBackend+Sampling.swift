// Token selection on the GPU (sampling.cu): greedy or temperature / top-k / top-p with the draw of
// SamplingRow.uniform (computed here on the host, so seeded draws match the CPU backend). Only the ids
// come back. Also the seeded fills used for dummy weights, random adapters and poisoning outputs.

import Backend
import CUDADriver
import MemoryPool

extension CUDAComputeBackend {
    public func sample(_ logits: CUDATensor, vocabularySize: Int, rows: [SamplingRow]) -> [Int32] {
        let r = rows.count
        guard r > 0 else { return [] }
        expect(logits, .f32, count: r * vocabularySize, "sample", "logits")
        // Words: temperatures f32 [R] | topP f32 [R] | topK i32 [R] | (pad) | uniforms f64 [R] (8-byte aligned).
        let uniformOffset = (3 * r + 1) & ~1
        var words = [UInt32](repeating: 0, count: uniformOffset + 2 * r)
        for (i, row) in rows.enumerated() {
            words[i] = row.temperature.bitPattern
            words[r + i] = row.topP.bitPattern
            words[2 * r + i] = UInt32(bitPattern: Int32(clamping: row.topK))
            let bits = row.uniform.bitPattern
            words[uniformOffset + 2 * i] = UInt32(truncatingIfNeeded: bits)
            words[uniformOffset + 2 * i + 1] = UInt32(truncatingIfNeeded: bits >> 32)
        }
        let parameters = allocateTensor(count: words.count, elementType: .f32, zero: false, op: "sample")
        uploadWords(words, to: parameters.address)
        let out = allocateTensor(count: r, elementType: .f32, zero: false, op: "sample")
        let base = parameters.address
        launch("sample_rows", grid: (r, 1, 1), block: LaunchGeometry.sampleThreads, op: "sample") { a in
            a.pointer(logits.address)
            a.int32(vocabularySize)
            a.pointer(base)
            a.pointer(base + UInt64(4 * r))
            a.pointer(base + UInt64(8 * r))
            a.pointer(base + UInt64(4 * uniformOffset))
            a.pointer(out.address)
        }
        var ids = [Int32](repeating: 0, count: r)
        do {
            try copyOut(into: &ids, from: out.address, bytes: 4 * r)
        } catch {
            fail(error, "sample")
        }
        return ids
    }

    // MARK: - Fills (dummy weights, random adapters, poison)

    /// Fills `count` elements at `address` (of `type`) with offset + scale·U(−1, 1), seeded.
    func fillRandom(address: CUdeviceptr, count: Int, type: CUDAElementType, seed: UInt64, scale: Float, offset: Float) {
        guard count > 0 else { return }
        let blocks = LaunchGeometry.elementwiseBlocks(count: count, multiprocessors: context.multiprocessorCount)
        launch("fill_random_\(type.kernelSuffix)", grid: (blocks, 1, 1), block: LaunchGeometry.elementwiseThreads, op: "fillRandom") { a in
            a.pointer(address)
            a.pointer(0)
            a.int64(count)
            a.uint64(seed)
            a.float(scale)
            a.float(offset)
        }
    }

    /// A `[rows, cols]` weight of seeded uniform values in ±scale, generated on the GPU.
    public func makeRandomWeight(rows: Int, cols: Int, seed: UInt64, scale: Float) -> CUDAWeight {
        let weight = makeUninitializedWeight(rows: rows, cols: cols)
        fillRandom(address: weight.address, count: rows * cols, type: storage, seed: seed, scale: scale, offset: 0)
        return weight
    }

    /// A tensor of seeded uniform values in offset ± scale.
    public func makeRandomTensor(count: Int, precision: TensorPrecision, seed: UInt64, scale: Float, offset: Float = 0) -> CUDATensor {
        let type = elementType(precision)
        let tensor = allocateTensor(count: count, elementType: type, zero: false, op: "makeRandomTensor")
        fillRandom(address: tensor.address, count: count, type: type, seed: seed, scale: scale, offset: offset)
        return tensor
    }

    /// Fills whole pool pages with seeded values in ±scale (random adapters or KV for benchmarks).
    public func fillRandomPages(_ pages: [PageIndex], pool: CUDATensor, geometry: PageGeometry, seed: UInt64, scale: Float) {
        let e = geometry.elementsPerPage
        poolRead()
        var first = 0
        while first < pages.count {
            let chunk = Array(pages[first..<min(pages.count, first + 65535)])
            let starts = chunk.map { page -> Int64 in
                precondition(page.rawValue >= 0 && (Int(page.rawValue) + 1) * e <= pool.count, "\(page) is outside the pool")
                return Int64(page.rawValue) * Int64(e)
            }
            let table = allocateTensor(count: 2 * starts.count, elementType: .f32, zero: false, op: "fillRandomPages")
            uploadWords(starts.flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }, to: table.address)
            let blocks = max(1, min(64, (e + 1023) / 1024))
            launch("fill_random_\(suffix)", grid: (blocks, chunk.count, 1), block: LaunchGeometry.elementwiseThreads, op: "fillRandomPages") { a in
                a.pointer(pool.address)
                a.pointer(table.address)
                a.int64(e)
                a.uint64(seed)
                a.float(scale)
                a.float(0)
            }
            first += chunk.count
        }
    }

    /// Overwrites every element of `tensor` with NaN (parity checks poison outputs before each run).
    public func poison(_ tensor: CUDATensor) {
        bindThread()
        do {
            switch tensor.elementType {
            case .f32:
                try context.driver.check(
                    context.driver.cuMemsetD32Async(tensor.address, 0x7FC0_0000, tensor.count, stream.handle), "cuMemsetD32Async")
            case .bf16:
                try context.driver.check(
                    context.driver.cuMemsetD16Async(tensor.address, 0x7FC0, tensor.count, stream.handle), "cuMemsetD16Async")
            }
        } catch {
            fail(error, "poison")
        }
    }
}
