// Python `str` operations over Unicode scalars. Python strings are sequences of code points and compare
// them exactly, while Swift's `String` compares by canonical equivalence and indexes by grapheme; so
// searching, splitting, stripping and replacing go through this code-point view.

// MARK: - ScalarText

struct ScalarText {
    var scalars: [Unicode.Scalar]

    init(_ string: String) {
        scalars = Array(string.unicodeScalars)
    }

    init(_ scalars: some Sequence<Unicode.Scalar>) {
        self.scalars = Array(scalars)
    }

    var string: String { String(String.UnicodeScalarView(scalars)) }
    var count: Int { scalars.count }

    // MARK: - Searching

    /// The first index at or after `start` where `needle` occurs.
    func find(_ needle: ScalarText, from start: Int = 0) -> Int? {
        guard needle.count <= count else { return nil }
        if needle.count == 0 { return start <= count ? start : nil }
        var index = start
        while index + needle.count <= count {
            if scalars[index] == needle.scalars[0] && hasPrefix(needle, at: index) { return index }
            index += 1
        }
        return nil
    }

    func hasPrefix(_ prefix: ScalarText, at index: Int = 0) -> Bool {
        guard index >= 0, index + prefix.count <= count else { return false }
        for offset in 0..<prefix.count where scalars[index + offset] != prefix.scalars[offset] { return false }
        return true
    }

    func hasSuffix(_ suffix: ScalarText) -> Bool {
        hasPrefix(suffix, at: count - suffix.count)
    }

    /// Python `str.count(sub)`: non-overlapping occurrences.
    func occurrences(of needle: ScalarText) -> Int {
        if needle.count == 0 { return count + 1 }
        var total = 0
        var index = 0
        while let found = find(needle, from: index) {
            total += 1
            index = found + needle.count
        }
        return total
    }

    // MARK: - Transforming

    /// Python `str.replace(old, new, count)`; an empty `old` inserts `new` between all characters.
    func replacing(_ old: ScalarText, with new: ScalarText, limit: Int? = nil) -> ScalarText {
        var result: [Unicode.Scalar] = []
        var replaced = 0
        var index = 0
        if old.count == 0 {
            for scalar in scalars {
                if limit.map({ replaced < $0 }) ?? true {
                    result += new.scalars
                    replaced += 1
                }
                result.append(scalar)
            }
            if limit.map({ replaced < $0 }) ?? true { result += new.scalars }
            return ScalarText(result)
        }
        while let found = find(old, from: index), limit.map({ replaced < $0 }) ?? true {
            result += scalars[index..<found]
            result += new.scalars
            index = found + old.count
            replaced += 1
        }
        result += scalars[index...]
        return ScalarText(result)
    }

    /// Python `str.strip/lstrip/rstrip(chars)`; nil `characters` strips whitespace.
    func stripped(_ characters: ScalarText?, leading: Bool, trailing: Bool) -> ScalarText {
        let set = characters.map { Set($0.scalars) }
        func strip(_ scalar: Unicode.Scalar) -> Bool { set?.contains(scalar) ?? scalar.isPythonWhitespace }
        var lower = 0
        var upper = count
        if leading { while lower < upper && strip(scalars[lower]) { lower += 1 } }
        if trailing { while upper > lower && strip(scalars[upper - 1]) { upper -= 1 } }
        return ScalarText(scalars[lower..<upper])
    }

    /// Python `str.split(sep, maxsplit)`; a nil separator splits on whitespace runs and drops empty parts.
    func split(_ separator: ScalarText?, maxSplits: Int = -1) -> [ScalarText] {
        guard let separator else { return splitOnWhitespace(maxSplits: maxSplits) }
        var parts: [ScalarText] = []
        var index = 0
        while maxSplits < 0 || parts.count < maxSplits, let found = find(separator, from: index) {
            parts.append(ScalarText(scalars[index..<found]))
            index = found + separator.count
        }
        parts.append(ScalarText(scalars[index...]))
        return parts
    }

    private func splitOnWhitespace(maxSplits: Int) -> [ScalarText] {
        var parts: [ScalarText] = []
        var index = 0
        while true {
            while index < count && scalars[index].isPythonWhitespace { index += 1 }
            guard index < count else { break }
            if maxSplits >= 0 && parts.count == maxSplits {
                // Python keeps the remainder, trailing whitespace stripped.
                parts.append(ScalarText(scalars[index...]).stripped(nil, leading: false, trailing: true))
                break
            }
            let start = index
            while index < count && !scalars[index].isPythonWhitespace { index += 1 }
            parts.append(ScalarText(scalars[start..<index]))
        }
        return parts
    }

    /// Python `str.splitlines()` (without keepends): \n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028/2029.
    func splitLines() -> [ScalarText] {
        var lines: [ScalarText] = []
        var start = 0
        var index = 0
        while index < count {
            let scalar = scalars[index]
            if Self.isLineBreak(scalar) {
                lines.append(ScalarText(scalars[start..<index]))
                if scalar == "\r" && index + 1 < count && scalars[index + 1] == "\n" { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if start < count { lines.append(ScalarText(scalars[start...])) }
        return lines
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    // MARK: - Case

    func uppercased() -> ScalarText { ScalarText(scalars.flatMap { $0.properties.uppercaseMapping.unicodeScalars }) }
    func lowercased() -> ScalarText { ScalarText(scalars.flatMap { $0.properties.lowercaseMapping.unicodeScalars }) }

    /// Python `str.capitalize()`: first character title-cased, the rest lower-cased.
    func capitalized() -> ScalarText {
        guard let first = scalars.first else { return self }
        return ScalarText(
            Array(first.properties.titlecaseMapping.unicodeScalars)
                + ScalarText(scalars.dropFirst()).lowercased().scalars)
    }

    /// Python `str.title()`: a cased character after an uncased one is title-cased, others lower-cased.
    func titleCased() -> ScalarText {
        var result: [Unicode.Scalar] = []
        var previousCased = false
        for scalar in scalars {
            let mapping = previousCased ? scalar.properties.lowercaseMapping : scalar.properties.titlecaseMapping
            result += mapping.unicodeScalars
            previousCased = scalar.properties.isCased
        }
        return ScalarText(result)
    }
}
