// Draws S-LoRA's synthetic workload from a WorkloadConfiguration: ⌊rate·duration⌋ requests whose
// inter-arrival times are Gamma(shape 1/cv², scale cv²/rate) (mean 1/rate, coefficient of variation cv),
// adapters by the power law, lengths uniform. Same configuration and seed → same requests.

/// S-LoRA's synthetic request generator.
public enum WorkloadGenerator {
    /// The requests of `configuration`, in arrival order (the first arrives after one interval, as in
    /// S-LoRA's `trace.py`).
    public static func requests(_ configuration: WorkloadConfiguration) throws(WorkloadError) -> [TraceRequest] {
        try configuration.validate()
        let c = configuration
        let count = c.requestCount
        // Independent streams per quantity, so changing one knob (e.g. the rate) leaves the adapters and
        // lengths of the first requests as they were.
        var adapterRandom = WorkloadRandom(seed: c.seed &+ 1)
        var promptRandom = WorkloadRandom(seed: c.seed &+ 2)
        var outputRandom = WorkloadRandom(seed: c.seed &+ 3)
        var arrivalRandom = WorkloadRandom(seed: c.seed &+ 4)
        let shape = 1 / (c.cv * c.cv)
        let scale = c.cv * c.cv / c.rate
        var clock = 0.0
        var requests: [TraceRequest] = []
        requests.reserveCapacity(count)
        for _ in 0..<count {
            var adapter: Int?
            if c.adapterCount > 0 {
                let x = adapterRandom.power(exponent: c.alpha)
                adapter = min(c.adapterCount - 1, Int(x * Double(c.adapterCount)))
            }
            clock += arrivalRandom.gamma(shape: shape, scale: scale)
            requests.append(
                TraceRequest(
                    arrival: clock, adapter: adapter, promptLength: promptRandom.integer(in: c.promptLengths),
                    outputLength: outputRandom.integer(in: c.outputLengths)))
        }
        return requests
    }
}
