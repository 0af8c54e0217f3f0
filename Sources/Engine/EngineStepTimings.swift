// Where the engine thread's time goes, summed over all steps: scheduling, running the model (queueing
// the forward pass and waiting for the sampled ids), turning tokens into events, and publishing the
// snapshot; plus the tokens the steps computed. Benchmarks print it per step.

/// Cumulative seconds and token counts of an engine's steps.
public struct EngineStepTimings: Sendable, Equatable {
    /// Steps that ran the model.
    public var steps = 0
    public var scheduleSeconds = 0.0
    /// Forward pass + sampling, including the wait for the device.
    public var executeSeconds = 0.0
    /// Scheduler update, detokenization, events to the request streams.
    public var outputSeconds = 0.0
    /// Building and publishing the snapshot after each step.
    public var snapshotSeconds = 0.0
    /// Prompt tokens computed (prefill chunks) and tokens decoded (one-token chunks).
    public var prefillTokens = 0
    public var decodeTokens = 0

    public init() {}

    /// Milliseconds per step of a part.
    public func perStep(_ seconds: Double) -> Double { steps == 0 ? 0 : 1000 * seconds / Double(steps) }
}

extension ContinuousClock.Instant {
    /// Seconds from `self` to now.
    var secondsElapsed: Double {
        let c = (ContinuousClock.now - self).components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
