// Slices of seeded random weights for tensor-parallel checks on the GPU: rank r keeps rows (column-
// parallel) or columns (row-parallel) of exactly the matrix `makeRandomWeight` makes for one GPU, so N
// ranks hold the same model as one GPU does. The whole matrix is generated in a temporary buffer.

import CUDADriver

extension CUDAComputeBackend {
    /// Rows `rows` and columns `cols` of the `[fullRows, fullCols]` matrix that
    /// `makeRandomWeight(rows: fullRows, cols: fullCols, seed: seed, scale: scale)` makes, as a
    /// `[rows.count, cols.count]` weight. Synchronizes the stream (the temporary is freed after).
    public func makeRandomWeightSlice(
        fullRows: Int, fullCols: Int, rows: Range<Int>, cols: Range<Int>, seed: UInt64, scale: Float
    ) -> CUDAWeight {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= fullRows && !rows.isEmpty, "rows \(rows) of \(fullRows)")
        precondition(cols.lowerBound >= 0 && cols.upperBound <= fullCols && !cols.isEmpty, "columns \(cols) of \(fullCols)")
        if rows.count == fullRows && cols.count == fullCols {
            return makeRandomWeight(rows: fullRows, cols: fullCols, seed: seed, scale: scale)
        }
        bindThread()
        let size = storage.byteSize
        let weight = makeUninitializedWeight(rows: rows.count, cols: cols.count)
        do {
            let full = try DeviceAllocation(context: context, byteCount: fullRows * fullCols * size)  // [fullRows, fullCols]
            fillRandom(address: full.address, count: fullRows * fullCols, type: storage, seed: seed, scale: scale, offset: 0)
            let driver = context.driver
            if cols.count == fullCols {
                // Whole rows: one contiguous copy.
                try driver.check(
                    driver.cuMemcpyDtoDAsync(
                        weight.address, full.address + UInt64(rows.lowerBound * fullCols * size), rows.count * fullCols * size,
                        stream.handle),
                    "cuMemcpyDtoDAsync_v2")
            } else {
                // A column band: one copy per row.
                for (i, r) in rows.enumerated() {
                    try driver.check(
                        driver.cuMemcpyDtoDAsync(
                            weight.address + UInt64(i * cols.count * size), full.address + UInt64((r * fullCols + cols.lowerBound) * size),
                            cols.count * size, stream.handle),
                        "cuMemcpyDtoDAsync_v2")
                }
            }
            try stream.synchronize()
        } catch {
            fail(error, "makeRandomWeightSlice(\(fullRows)×\(fullCols), rows \(rows), columns \(cols))")
        }
        return weight
    }
}
