// Finds stop strings in streamed text without ever emitting part of one: text that could still be the
// start of a stop string is held back until the next delta decides (vLLM's stop-string buffering).

/// Stop-string matching over text that arrives in deltas (compared by Unicode scalars).
///
/// ```swift
/// var matcher = StopStringMatcher(["\n\n", "END"])
/// let (text, stop) = matcher.push(delta)   // text is safe to send; stop != nil ends generation
/// let rest = matcher.flush()               // at the end: the held-back text that was no stop
/// ```
public struct StopStringMatcher: Sendable, Equatable {
    /// Non-empty stop strings as scalars.
    private let stops: [[Unicode.Scalar]]
    private let originals: [String]
    /// Text not yet emitted: the longest tail that is a prefix of some stop string.
    private var held: [Unicode.Scalar] = []

    public init(_ stops: [String]) {
        let kept = stops.filter { !$0.isEmpty }
        self.originals = kept
        self.stops = kept.map { Array($0.unicodeScalars) }
    }

    public var isEmpty: Bool { stops.isEmpty }

    /// Adds `text`; returns the text that is safe to emit and the stop string found, if any. After a
    /// match, the text from the stop string on is dropped.
    public mutating func push(_ text: String) -> (text: String, stop: String?) {
        if stops.isEmpty { return (text, nil) }
        held.append(contentsOf: text.unicodeScalars)
        // The earliest occurrence of any stop string (the first listed wins at the same position).
        for start in held.indices {
            for (s, stop) in stops.enumerated() where held[start...].starts(with: stop) {
                let emitted = Self.string(held[..<start])
                held = []
                return (emitted, originals[s])
            }
        }
        // Hold back the longest tail that may still grow into a stop string.
        var keepFrom = held.count
        for start in held.indices {
            let tail = held[start...]
            if stops.contains(where: { $0.count > tail.count && $0.starts(with: tail) }) {
                keepFrom = start
                break
            }
        }
        let emitted = Self.string(held[..<keepFrom])
        held.removeFirst(keepFrom)
        return (emitted, nil)
    }

    /// Returns and clears the held-back text (generation ended without it becoming a stop string).
    public mutating func flush() -> String {
        defer { held = [] }
        return Self.string(held[...])
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
