// The unified page pool's bookkeeping: which page belongs to which owner, and which are free.
// Pure bookkeeping, no tensors: the backend owns the memory, this class only hands out page indices.
// KV pages of sequences and weight pages of adapters come from the same free list, so a page freed
// by one kind is reusable by the other (S-LoRA's unified paging; docs/memory.md).

/// The allocator of the unified memory pool: `pageCount` fixed-size pages shared by KV caches
/// and resident adapters.
///
/// Single owner (the engine thread), synchronous and deterministic; deliberately not `Sendable`.
/// Allocation and free are O(1) per page: free pages sit on a stack (LIFO, so a just-freed page
/// is reused first), and each owner's pages sit in a list with each page's position in it, so a
/// page leaves that list by swap-remove.
///
/// Running out of pages is a scheduling outcome, not an error: ``allocate(_:for:)`` returns nil
/// and changes nothing. Freeing a page the owner does not hold is a bug and traps.
///
/// ```swift
/// let pool = PagePool(pageCount: 1024)
/// let seq = PageOwner.sequence(SequenceSlotID(0))
/// guard let pages = pool.allocate(32, for: seq) else { /* wait or preempt */ }
/// pool.free(pages, from: seq)
/// ```
public final class PagePool {
    // MARK: - State

    /// Number of pages in the pool.
    public let pageCount: Int
    /// [pageCount]: the owner of each page, nil when free.
    private var ownerOfPage: [PageOwner?]
    /// [pageCount]: for an allocated page, its position in `ownedPages[owner]`; stale for free pages.
    private var positionInOwnerList: [Int32]
    /// Free pages; allocation pops from the end. Starts as [pageCount − 1, …, 0] so page 0 goes first.
    private var freeStack: [PageIndex]
    /// The pages of each owner that holds at least one, in no particular order.
    private var ownedPages: [PageOwner: [PageIndex]]

    /// A pool of `pageCount` free pages.
    public init(pageCount: Int) {
        precondition(pageCount >= 0 && pageCount <= Int(Int32.max), "pageCount \(pageCount) out of range")
        self.pageCount = pageCount
        self.ownerOfPage = Array(repeating: nil, count: pageCount)
        self.positionInOwnerList = Array(repeating: 0, count: pageCount)
        self.freeStack = (0..<pageCount).reversed().map { PageIndex($0) }
        self.ownedPages = [:]
    }

    // MARK: - Queries

    /// Pages not owned by anyone.
    public var freePageCount: Int { freeStack.count }

    /// Pages owned by some sequence or adapter. Always `pageCount − freePageCount`.
    public var usedPageCount: Int { pageCount - freeStack.count }

    /// Whether `allocate(count, …)` would succeed now.
    public func canAllocate(_ count: Int) -> Bool { count <= freeStack.count }

    /// The owner of `page`, nil when it is free.
    public func owner(of page: PageIndex) -> PageOwner? {
        precondition(contains(page), "\(page) is outside a pool of \(pageCount) pages")
        return ownerOfPage[Int(page.rawValue)]
    }

    /// The pages `owner` holds, in no particular order (allocation order until its first free).
    /// O(1): returns the stored list.
    public func pages(of owner: PageOwner) -> [PageIndex] { ownedPages[owner] ?? [] }

    /// How many pages `owner` holds.
    public func pageCount(of owner: PageOwner) -> Int { ownedPages[owner]?.count ?? 0 }

    /// Every owner that holds at least one page, in no particular order.
    public var owners: [PageOwner] { Array(ownedPages.keys) }

    // MARK: - Allocation

    /// Takes `count` free pages for `owner`.
    ///
    /// - Returns: the pages (any order, not necessarily contiguous), or nil when fewer than `count`
    ///   pages are free; then nothing is allocated. `count == 0` returns `[]`.
    public func allocate(_ count: Int, for owner: PageOwner) -> [PageIndex]? {
        precondition(count >= 0, "negative page count \(count)")
        guard count <= freeStack.count else { return nil }
        if count == 0 { return [] }
        let taken = Array(freeStack[(freeStack.count - count)...].reversed())
        freeStack.removeLast(count)
        // Take the list out of the dictionary so appending does not copy it.
        var list = ownedPages.removeValue(forKey: owner) ?? []
        list.reserveCapacity(list.count + count)
        for page in taken {
            let i = Int(page.rawValue)
            ownerOfPage[i] = owner
            positionInOwnerList[i] = Int32(list.count)
            list.append(page)
        }
        ownedPages[owner] = list
        return taken
    }

    /// Returns `pages` to the free list.
    ///
    /// - Precondition: `owner` holds every page in `pages`, each listed once (a double free is a bug).
    public func free(_ pages: [PageIndex], from owner: PageOwner) {
        if pages.isEmpty { return }
        guard var list = ownedPages.removeValue(forKey: owner) else {
            preconditionFailure("\(owner) holds no pages but frees \(pages.count)")
        }
        for page in pages {
            precondition(contains(page), "\(page) is outside a pool of \(pageCount) pages")
            let i = Int(page.rawValue)
            precondition(ownerOfPage[i] == owner, "\(owner) frees \(page), owned by \(ownerOfPage[i].map { "\($0)" } ?? "nobody")")
            // Swap-remove: move the list's last page into this page's position.
            let position = Int(positionInOwnerList[i])
            let last = list.removeLast()
            if last != page {
                list[position] = last
                positionInOwnerList[Int(last.rawValue)] = Int32(position)
            }
            ownerOfPage[i] = nil
            freeStack.append(page)
        }
        if !list.isEmpty { ownedPages[owner] = list }
    }

    /// Frees every page `owner` holds (none is fine). A ``SequencePageTable`` or ``AdapterPageTable``
    /// that listed these pages is stale afterwards: drop it rather than release it (that would double free).
    ///
    /// - Returns: how many pages were freed.
    @discardableResult
    public func freeAll(of owner: PageOwner) -> Int {
        guard let list = ownedPages.removeValue(forKey: owner) else { return 0 }
        for page in list {
            ownerOfPage[Int(page.rawValue)] = nil
            freeStack.append(page)
        }
        return list.count
    }

    // MARK: - Private

    private func contains(_ page: PageIndex) -> Bool { page.rawValue >= 0 && Int(page.rawValue) < pageCount }
}

/// The pool is single-owner bookkeeping for the engine thread; it must not cross threads.
@available(*, unavailable)
extension PagePool: Sendable {}
