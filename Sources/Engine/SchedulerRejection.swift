// Why the scheduler refuses a request at ``Scheduler/add(_:)``.

/// A refusal from ``Scheduler/add(_:)``.
public enum SchedulerRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The waiting queue holds `limit` requests already.
    case queueFull(limit: Int)
    /// The adapter is not registered, or was unloaded.
    case unknownAdapter(AdapterID)
    /// Even alone, prompt + max tokens (+ its adapter) needs more pages than the pool has.
    case doesNotFit(needPages: Int, poolPages: Int)
    /// The id is already in use.
    case duplicateID(RequestID)

    public var description: String {
        switch self {
        case .queueFull(let limit): "the waiting queue is full (\(limit) requests)"
        case .unknownAdapter(let id): "\(id) is not loaded"
        case .doesNotFit(let need, let pool): "the request needs \(need) pool pages but the pool has \(pool)"
        case .duplicateID(let id): "\(id) is already scheduled"
        }
    }
}
