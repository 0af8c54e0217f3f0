// Decode steps as CUDA graphs: `runStep` packs the step, and for a decode shape seen before under the
// same reuse key either replays its graph or (second sight) captures the body into one. Debug mode and
// `Options.graphs == false` run every step eagerly.

import Backend
import CUDADriver

extension CUDAComputeBackend {
    public func runStep(
        step: StepBatch, adapters: AdapterBatch, reuseKey: AnyHashable?, _ body: (CUDAPreparedStep) -> CUDATensor
    ) -> CUDATensor {
        guard useGraphs && !options.debug && activeProfiler == nil, let reuseKey, graphs.capturing == nil else {
            return body(prepare(step: step, adapters: adapters))
        }
        precondition(adapters.tokenSlots.count == step.tokenCount, "adapter batch and step disagree on tokenCount")
        bindThread()
        beginStep()  // queued adapter copies land before the step (and never inside a capture)
        let packed = StepLayout.pack(step: step, adapters: adapters)
        guard packed.shape.isDecode else {
            let buffer = allocateTensor(count: packed.layout.wordCount, elementType: .f32, zero: false, op: "prepare")
            uploadWords(packed.words, to: buffer.address)
            return body(CUDAPreparedStep(shape: packed.shape, layout: packed.layout, storage: buffer, base: buffer.address))
        }
        do {
            let record = try graphs.record(
                for: StepGraphCache.Key(reuseKey: reuseKey, shape: packed.shape), layout: packed.layout, context: context)
            uploadWords(packed.words, to: record.buffer.address)
            let prepared = CUDAPreparedStep(
                shape: packed.shape, layout: packed.layout, storage: record, base: record.buffer.address)
            if let graph = record.graph, let output = record.output {
                try graph.launch(on: stream)
                graphs.noteReplay()
                return output
            }
            record.timesSeen += 1
            if record.failed || record.timesSeen < 2 { return body(prepared) }
            graphs.capturing = record
            defer { graphs.capturing = nil }
            var output: CUDATensor?
            do {
                record.graph = try CUDAGraph.capture(on: stream) { output = body(prepared) }
            } catch {
                // Not capturable (driver refused): remember, and run this shape eagerly from now on.
                record.failed = true
                record.retained.removeAll()
                record.retainedWeights.removeAll()
                graphsDisabledReason = "\(error)"
                return body(prepared)
            }
            guard let output else { preconditionFailure("captured step returned no tensor") }
            record.output = output
            graphs.noteCapture()
            try record.graph!.launch(on: stream)
            return output
        } catch {
            fail(error, "runStep (CUDA graph)")
        }
    }

    /// Keeps a temporary alive for as long as the graph being captured (no-op otherwise), so its
    /// memory is never handed to another tensor while the graph may write it.
    func retainDuringCapture(_ tensor: CUDATensor) {
        graphs.capturing?.retained.append(tensor)
    }

    /// The same for a weight the captured ops read.
    func retainDuringCapture(_ weight: CUDAWeight) {
        graphs.capturing?.retainedWeights.append(weight)
    }

    /// (replays, captures) of decode-step graphs so far.
    public var graphStatistics: (replays: Int, captures: Int) { (graphs.replays, graphs.captures) }

    /// Drops captured graphs (call after freeing buffers a captured body used).
    public func removeCapturedGraphs() { graphs.removeAll() }
}
