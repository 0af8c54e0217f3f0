// Parity cases for adapter loads (issue 5 item 4): streams copied from the backend's host adapter store
// into scattered pool pages on the copy stream, ordered and overlapping a running step, compared with the
// CPU backend's writeAdapter over the whole pool (pages nobody loaded must keep their contents).

import Backend
import CPUBackend
import CUDABackend
import MemoryPool

extension ParityHarness {
    func adapterLoadCases() {
        let geometry = PageGeometry(layerCount: 2, kvWidth: 64, tokensPerPage: 16)
        let e = geometry.elementsPerPage
        let pageCount = 48
        let base = pool(pageCount: pageCount, geometry: geometry, scale: 1)
        // Lengths: a partial last page, an exact page multiple, one short page, a long one. The second
        // load gets consecutive pages (one copy run); the others scattered pages from the rest.
        let lengths = [3 * e + 17, 4 * e, e - 5, 6 * e + 1]
        let runStart = 20
        let runPages = (lengths[1] + e - 1) / e
        var order = random.permutation(pageCount).filter { $0 < runStart || $0 >= runStart + runPages }.makeIterator()
        var loads: [(values: [Float], pages: [PageIndex])] = []
        for (i, length) in lengths.enumerated() {
            let count = (length + e - 1) / e
            let pages = i == 1 ? (0..<count).map { PageIndex(runStart + $0) } : (0..<count).map { _ in PageIndex(order.next()!) }
            loads.append((random.gaussians(length, scale: 0.05), pages))
        }
        // Work on the compute stream while the overlapping loads copy (it touches no pool page).
        let x = randomPair(8 * 2048, .compact)
        let w = weight(rows: 2048, cols: 2048, scale: 1 / 45)
        let busy = output(8 * 2048, .full)
        let none = AdapterBatch.none(tokenCount: 1, layerCount: 2)
        let step = makeStep([(1, 0)], geometry: geometry, pageCount: pageCount)
        for (i, load) in loads.enumerated() {
            let overlapping = i % 2 == 0
            if overlapping { _ = gpu.prepare(step: step, adapters: none) }
            gpu.matmul(x.gpu, rows: 8, weight: w.gpu, out: busy.gpu)  // 8 MB of weights
            gpu.loadAdapter(
                gpu.makeHostAdapter(load.values), pages: load.pages, pool: base.gpu, geometry: geometry,
                overlappingCurrentStep: overlapping)
            cpu.writeAdapter(stored(load.values, .compact), pages: load.pages, pool: base.cpu, geometry: geometry)
        }
        let name = "\(loads.count) streams into \(pageCount) pages, ordered + overlapping"
        check("loadAdapter", name, gpu: base.gpu, cpu: base.cpu, count: pageCount * e)
    }
}
