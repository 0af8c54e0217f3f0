// Who owns a page of the unified pool: a sequence's KV cache or a resident adapter's weights.

/// The owner of an allocated page. Every allocated page has exactly one owner; free pages have none.
public enum PageOwner: Hashable, Sendable, CustomStringConvertible {
    /// KV cache pages of one sequence (see ``SequencePageTable``).
    case sequence(SequenceSlotID)
    /// Weight pages of one resident adapter (see ``AdapterPageTable``).
    case adapter(AdapterSlotID)

    public var description: String {
        switch self {
        case .sequence(let id): id.description
        case .adapter(let id): id.description
        }
    }
}
