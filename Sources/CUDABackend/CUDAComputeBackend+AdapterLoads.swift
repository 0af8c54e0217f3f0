// Adapter loads into pool pages (issue 5 item 4): host copies in pinned memory (CUDAHostAdapter), copied
// page run by page run on the copy stream (AdapterCopyQueue), overlapping the running step when the
// caller allows it. `poolRead()` is where the compute stream catches up with queued copies.

import Backend
import CUDADriver
import MemoryPool

extension CUDAComputeBackend {
    public func makeHostAdapter(_ stream: [Float]) -> CUDAHostAdapter {
        bindThread()
        return CUDAHostAdapter(stream: stream, elementType: storage, context: context)
    }

    public func loadAdapter(
        _ adapter: CUDAHostAdapter, pages: [PageIndex], pool: CUDATensor, geometry: PageGeometry,
        overlappingCurrentStep: Bool
    ) {
        precondition(adapter.elementType == storage && pool.elementType == storage, "loadAdapter: storage types differ")
        precondition(graphs.capturing == nil, "loadAdapter inside a captured step")
        bindThread()
        let runs = Self.pageRuns(count: adapter.count, pages: pages, elementsPerPage: geometry.elementsPerPage, poolCount: pool.count)
        let size = storage.byteSize
        do {
            try adapterCopies.load(
                adapter,
                runs: runs.map { (hostOffset: $0.start * size, device: pool.address(ofElement: $0.poolElement), bytes: $0.count * size) },
                compute: stream, overlappingCurrentStep: overlappingCurrentStep)
        } catch {
            fail(error, "loadAdapter")
        }
    }

    /// Runs of consecutive pages as (first stream element, first pool element, element count).
    static func pageRuns(count: Int, pages: [PageIndex], elementsPerPage e: Int, poolCount: Int) -> [(start: Int, poolElement: Int, count: Int)] {
        precondition(pages.count * e >= count, "adapter stream needs more pages than it was given")
        var runs: [(start: Int, poolElement: Int, count: Int)] = []
        var i = 0
        while i < pages.count && i * e < count {
            var run = 1
            while i + run < pages.count && pages[i + run].rawValue == pages[i].rawValue + Int32(run) && (i + run) * e < count {
                run += 1
            }
            let start = i * e
            let end = min(count, (i + run) * e)
            let first = Int(pages[i].rawValue)
            precondition(first >= 0 && (first + run) * e <= poolCount, "\(pages[i]) is outside the pool")
            runs.append((start, first * e, end - start))
            i += run
        }
        return runs
    }

    /// Before an op that reads or writes the pool: the compute stream waits for queued adapter copies
    /// (never inside a capture; `runStep` already waited before capturing or replaying).
    func poolRead() {
        guard adapterCopies.pending, graphs.capturing == nil else { return }
        do { try adapterCopies.awaitCopies(compute: stream) } catch { fail(error, "cuStreamWaitEvent (adapter copies)") }
    }

    /// A step begins on the compute stream (see `AdapterCopyQueue.beginStep`).
    func beginStep() {
        do { try adapterCopies.beginStep(compute: stream) } catch { fail(error, "cuEventRecord (step start)") }
    }

    /// (loads, bytes) queued on the copy stream so far.
    public var adapterLoadStatistics: (loads: Int, bytes: Int) { (adapterCopies.loads, adapterCopies.bytesCopied) }
}
