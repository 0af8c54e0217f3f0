// Typed access to the fields of one JSON config object, turning every missing or mistyped field
// into a `CheckpointError.badConfigField` that names the file and the (dotted) field.

/// Reads typed fields from a JSON object; `null` counts as absent.
struct ConfigFieldReader {
    let object: JSONValue
    let path: String
    /// Dotted path of `object` inside the file ("" at top level, "rope_scaling." when nested).
    let prefix: String

    init(object: JSONValue, path: String, prefix: String = "") {
        self.object = object
        self.path = path
        self.prefix = prefix
    }

    /// The field's value, or nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func contains(_ key: String) -> Bool { value(key) != nil }

    /// An integer field; integral floats (`4096.0`) are accepted as Python would use them.
    func int(_ key: String) throws(CheckpointError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let integer = Self.integer(value) else {
            throw fail(key, "expected an integer, found \(describe(value))")
        }
        return integer
    }

    func requiredInt(_ key: String) throws(CheckpointError) -> Int {
        guard let value = try int(key) else { throw fail(key, "missing") }
        return value
    }

    /// An integer that must be > 0 when present.
    func positiveInt(_ key: String) throws(CheckpointError) -> Int? {
        guard let value = try int(key) else { return nil }
        guard value > 0 else { throw fail(key, "must be positive, found \(value)") }
        return value
    }

    func requiredPositiveInt(_ key: String) throws(CheckpointError) -> Int {
        guard let value = try positiveInt(key) else { throw fail(key, "missing") }
        return value
    }

    func double(_ key: String) throws(CheckpointError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.double else { throw fail(key, "expected a number, found \(describe(value))") }
        return number
    }

    func requiredDouble(_ key: String) throws(CheckpointError) -> Double {
        guard let value = try double(key) else { throw fail(key, "missing") }
        return value
    }

    func bool(_ key: String) throws(CheckpointError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else { throw fail(key, "expected true or false, found \(describe(value))") }
        return flag
    }

    func string(_ key: String) throws(CheckpointError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { throw fail(key, "expected a string, found \(describe(value))") }
        return string
    }

    /// A reader for a nested object field, or nil when absent/null.
    func nested(_ key: String) throws(CheckpointError) -> ConfigFieldReader? {
        guard let value = value(key) else { return nil }
        guard value.members != nil else { throw fail(key, "expected an object, found \(describe(value))") }
        return ConfigFieldReader(object: value, path: path, prefix: prefix + key + ".")
    }

    // MARK: - Errors

    func fail(_ key: String, _ reason: String) -> CheckpointError {
        .badConfigField(file: path, field: prefix + key, reason: reason)
    }

    func unsupported(_ key: String, _ value: String) -> CheckpointError {
        .unsupportedConfigValue(file: path, field: prefix + key, value: value)
    }

    static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let integer): return integer
        case .double(let number):
            guard number.rounded() == number, abs(number) < 9.0e15 else { return nil }
            return Int(number)
        default: return nil
        }
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): "\"\(string)\""
        case .int(let integer): "\(integer)"
        case .double(let number): "\(number)"
        case .bool(let flag): "\(flag)"
        default: "a \(value.typeName)"
        }
    }
}
