// Errors of the Workload module: a configuration out of range, or a trace file that cannot be read or
// has a bad line (each case names the file, line and field at fault).

/// Why a workload could not be made or read.
public enum WorkloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration field is out of range.
    case invalidConfiguration(field: String, reason: String)
    /// The trace file could not be read or written.
    case unreadableTrace(path: String, reason: String)
    /// A line of the trace is not a JSON object with the expected fields.
    case malformedTraceLine(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let reason): "workload: \(field) \(reason)"
        case .unreadableTrace(let path, let reason): "trace \(path): \(reason)"
        case .malformedTraceLine(let path, let line, let reason): "trace \(path), line \(line): \(reason)"
        }
    }
}
