// Python's arithmetic, concatenation and comparison operators on runtime values (ints stay ints,
// `/` is true division, `//` and `%` floor, `+` joins strings and lists, `~` joins str() of both sides).

import Foundation

// MARK: - Operators

extension Interpreter {
    func binary(_ op: BinaryOperator, _ left: Value, _ right: Value, line: Int) throws(TemplateError) -> Value {
        func typeError() -> TemplateError {
            let message: String
            if case .undefined(let reason) = left {
                message = reason
            } else if case .undefined(let reason) = right {
                message = reason
            } else {
                message = "unsupported operand type(s) for \(op.rawValue): '\(left.typeName)' and '\(right.typeName)'"
            }
            return .runtime(message: message, line: line)
        }
        switch (op, left, right) {
        case (.concat, _, _):
            return .string(try Self.joined(left.pythonString, right.pythonString, line: line))
        case (.add, .string(let a), .string(let b)):
            return .string(try Self.joined(a, b, line: line))
        case (.modulo, .string, _):
            throw .unsupported(construct: "printf-style '%' string formatting", line: line)
        case (.add, .list(let a), .list(let b)):
            return .list(a + b)
        case (.add, .tuple(let a), .tuple(let b)):
            return .tuple(a + b)
        case (.multiply, .string(let text), .int(let count)), (.multiply, .int(let count), .string(let text)):
            guard count <= 0 || text.unicodeScalars.count * count <= Self.maximumCollectionSize else {
                throw .runtime(message: "string repetition is too large", line: line)
            }
            return .string(count > 0 ? String(repeating: text, count: count) : "")
        case (.multiply, .list(let items), .int(let count)), (.multiply, .int(let count), .list(let items)):
            guard count <= 0 || items.count * count <= Self.maximumCollectionSize else {
                throw .runtime(message: "list repetition is too large", line: line)
            }
            return .list(count > 0 ? Array([[Value]](repeating: items, count: count).joined()) : [])
        default:
            break
        }
        guard let a = Arithmetic(left), let b = Arithmetic(right) else { throw typeError() }
        if case .int(let x) = a, case .int(let y) = b {
            return try integerOperation(op, x, y, line: line)
        }
        let x = a.double
        let y = b.double
        switch op {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide:
            guard y != 0 else { throw .runtime(message: "float division by zero", line: line) }
            return .double(x / y)
        case .floorDivide:
            guard y != 0 else { throw .runtime(message: "float floor division by zero", line: line) }
            return .double((x / y).rounded(.down))
        case .modulo:
            guard y != 0 else { throw .runtime(message: "float modulo", line: line) }
            let remainder = x.truncatingRemainder(dividingBy: y)
            return .double(remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder)
        case .power: return .double(pow(x, y))
        case .concat: throw typeError()
        }
    }

    /// The largest string `+` or `~` may build (UTF-8 bytes); doubling a string in a loop hits it quickly.
    static let maximumStringByteCount = 1 << 26

    private static func joined(_ a: String, _ b: String, line: Int) throws(TemplateError) -> String {
        guard a.utf8.count + b.utf8.count <= maximumStringByteCount else {
            throw .runtime(message: "string concatenation result is too large", line: line)
        }
        return a + b
    }

    private func integerOperation(_ op: BinaryOperator, _ x: Int, _ y: Int, line: Int) throws(TemplateError) -> Value {
        let overflow = TemplateError.runtime(message: "integer overflow in \(op.rawValue)", line: line)
        switch op {
        case .add:
            let (value, overflowed) = x.addingReportingOverflow(y)
            if overflowed { throw overflow }
            return .int(value)
        case .subtract:
            let (value, overflowed) = x.subtractingReportingOverflow(y)
            if overflowed { throw overflow }
            return .int(value)
        case .multiply:
            let (value, overflowed) = x.multipliedReportingOverflow(by: y)
            if overflowed { throw overflow }
            return .int(value)
        case .divide:
            guard y != 0 else { throw .runtime(message: "division by zero", line: line) }
            return .double(Double(x) / Double(y))
        case .floorDivide, .modulo:
            guard y != 0 else { throw .runtime(message: "integer division or modulo by zero", line: line) }
            guard !(x == .min && y == -1) else { throw overflow }
            var quotient = x / y
            var remainder = x % y
            if remainder != 0 && (remainder < 0) != (y < 0) {
                quotient -= 1
                remainder += y
            }
            return .int(op == .floorDivide ? quotient : remainder)
        case .power:
            guard y >= 0 else { return .double(pow(Double(x), Double(y))) }
            var result = 1
            for _ in 0..<min(y, 64) {
                let (value, overflowed) = result.multipliedReportingOverflow(by: x)
                if overflowed { throw overflow }
                result = value
            }
            if y > 64 && abs(x) > 1 { throw overflow }
            if y > 64 && x == -1 { return .int(y % 2 == 0 ? 1 : -1) }
            return .int(result)
        case .concat:
            return .string(String(x) + String(y))
        }
    }

    /// One link of a comparison chain.
    func compare(_ op: ComparisonOperator, _ left: Value, _ right: Value, line: Int) throws(TemplateError) -> Bool {
        switch op {
        case .equal: return left.pythonEquals(right)
        case .notEqual: return !left.pythonEquals(right)
        case .contains: return try contains(right, left, line: line)
        case .notContains: return !(try contains(right, left, line: line))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = left.pythonCompare(right) else {
                let types = "'\(left.typeName)' and '\(right.typeName)'"
                throw .runtime(message: "'\(op.rawValue)' not supported between instances of \(types)", line: line)
            }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    /// Python `needle in container`.
    func contains(_ container: Value, _ needle: Value, line: Int) throws(TemplateError) -> Bool {
        switch container {
        case .string(let haystack):
            guard case .string(let part) = needle else {
                throw .runtime(
                    message: "'in <string>' requires string as left operand, not \(needle.typeName)", line: line)
            }
            return ScalarText(haystack).find(ScalarText(part)) != nil
        case .list(let items), .tuple(let items): return items.contains { $0.pythonEquals(needle) }
        case .dict(let dict):
            return DictKey(needle).map { dict[$0] != nil } ?? false
        case .namespace(let namespace):
            return DictKey(needle).map { namespace.attributes[$0] != nil } ?? false
        case .undefined: return false
        default:
            throw .runtime(message: "argument of type '\(container.typeName)' is not iterable", line: line)
        }
    }
}

// MARK: - Arithmetic operands

/// A number operand: bools count as ints, as in Python.
private enum Arithmetic {
    case int(Int)
    case double(Double)

    init?(_ value: Value) {
        switch value {
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .bool(let bool): self = .int(bool ? 1 : 0)
        default: return nil
        }
    }

    var double: Double {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        }
    }
}
