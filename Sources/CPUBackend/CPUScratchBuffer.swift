// A reusable host buffer that grows to the largest size asked for and is then reused, so the
// CPU backend's ops allocate nothing once the largest step has been seen.

/// Uninitialized scratch memory of trivial elements, owned by the backend (single caller at a time).
final class CPUScratchBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init() {
        capacity = 0
        pointer = .allocate(capacity: 1)
    }

    deinit { pointer.deallocate() }

    /// A pointer to at least `count` elements (old contents are not kept when it grows).
    func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            pointer.deallocate()
            // Round up so that slowly growing contexts do not reallocate every step.
            capacity = max(count, capacity + capacity / 2)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }
}
