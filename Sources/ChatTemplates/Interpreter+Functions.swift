// Calling values: the globals transformers gives templates (`raise_exception`, `strftime_now`,
// `namespace`, `dict`) plus Jinja's `range`, bound methods, macros and `loop.cycle`.

import Foundation

// MARK: - Calls

extension Interpreter {
    /// The global functions every render sees.
    static let builtinNames = ["raise_exception", "strftime_now", "namespace", "dict", "range"]

    mutating func call(
        _ function: Value, positional: [Value], keyword: [(name: String, value: Value)], line: Int
    ) throws(TemplateError) -> Value {
        guard case .callable(let callable) = function else {
            if case .undefined(let reason) = function { throw .runtime(message: reason, line: line) }
            throw .runtime(message: "'\(function.typeName)' object is not callable", line: line)
        }
        switch callable {
        case .builtin(let name):
            return try callBuiltin(name, positional: positional, keyword: keyword, line: line)
        case .method(let receiver, let name):
            return try callMethod(name, on: receiver, positional: positional, keyword: keyword, line: line)
        case .macro(let closure):
            return try call(closure, positional: positional, keyword: keyword, line: line)
        case .loopCycle(let loop):
            guard !positional.isEmpty else { throw .runtime(message: "no items for cycling given", line: line) }
            return positional[loop.index0 % positional.count]
        }
    }

    private func callBuiltin(
        _ name: String, positional: [Value], keyword: [(name: String, value: Value)], line: Int
    ) throws(TemplateError) -> Value {
        switch name {
        case "raise_exception":
            let arguments = try ArgumentReader(
                function: name, positional: positional, keyword: keyword, line: line, accepted: ["message"])
            throw .raised(message: try arguments.required(0, "message").pythonString, line: line)
        case "strftime_now":
            let arguments = try ArgumentReader(
                function: name, positional: positional, keyword: keyword, line: line, accepted: ["format"])
            return .string(try Self.strftimeNow(try arguments.requiredString(0, "format"), line: line))
        case "namespace", "dict":
            var attributes = ValueDictionary()
            for argument in positional {
                guard case .dict(let initial) = argument else {
                    throw .runtime(message: "\(name)() positional argument must be a mapping", line: line)
                }
                for (key, value) in initial.pairs { attributes[key] = value }
            }
            for (key, value) in keyword { attributes[key] = value }
            guard name == "namespace" else { return .dict(attributes) }
            let namespace = Namespace()
            namespace.attributes = attributes
            return .namespace(namespace)
        case "range":
            return try Self.range(positional, line: line)
        default:
            throw .unsupported(construct: "function '\(name)'", line: line)
        }
    }

    /// Python `range(stop)` / `range(start, stop[, step])` as a list.
    private static func range(_ arguments: [Value], line: Int) throws(TemplateError) -> Value {
        var bounds: [Int] = []
        for argument in arguments {
            switch argument {
            case .int(let int): bounds.append(int)
            case .bool(let bool): bounds.append(bool ? 1 : 0)
            default:
                throw .runtime(message: "'\(argument.typeName)' object cannot be interpreted as an integer", line: line)
            }
        }
        let (start, stop, step): (Int, Int, Int)
        switch bounds.count {
        case 1: (start, stop, step) = (0, bounds[0], 1)
        case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
        case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
        default: throw .runtime(message: "range expected 1 to 3 arguments, got \(bounds.count)", line: line)
        }
        guard step != 0 else { throw .runtime(message: "range() arg 3 must not be zero", line: line) }
        var items: [Value] = []
        var current = start
        while step > 0 ? current < stop : current > stop {
            guard items.count < maximumCollectionSize else {
                throw .runtime(message: "range() is too large", line: line)
            }
            items.append(.int(current))
            let (next, overflowed) = current.addingReportingOverflow(step)
            if overflowed { break }
            current = next
        }
        return .list(items)
    }

    /// Python `datetime.now().strftime(format)` in local time, through the C library's strftime.
    static func strftimeNow(_ format: String, line: Int) throws(TemplateError) -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else {
            throw .runtime(message: "strftime_now could not read the local time", line: line)
        }
        var buffer = [CChar](repeating: 0, count: 1024)
        // Python's strftime returns "" for an empty format; C's returns 0 for both that and overflow.
        guard !format.isEmpty else { return "" }
        let written = strftime(&buffer, buffer.count, format, &parts)
        guard written > 0 else {
            throw .runtime(message: "strftime_now format produced no output or is too long", line: line)
        }
        return String(decoding: buffer[..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
