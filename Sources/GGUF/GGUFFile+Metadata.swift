// Typed metadata look-ups on a GGUF file: optional accessors that return nil when a key is absent or of another
// type, and throwing `required…` accessors that name the key in the error.

extension GGUFFile {
    // MARK: - Optional accessors

    /// A string value, or `nil` if absent or not a string.
    public func string(_ key: String) -> String? { metadata[key]?.stringValue }

    /// Any integer value as `Int`, or `nil` if absent, not an integer, or out of `Int` range.
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }

    /// A `float32`/`float64` value as `Float`, or `nil` if absent or not a float.
    public func float(_ key: String) -> Float? { metadata[key]?.floatValue }

    /// A bool value, or `nil` if absent or not a bool.
    public func bool(_ key: String) -> Bool? { metadata[key]?.boolValue }

    /// An array of strings, or `nil` if absent or not a string array.
    public func stringArray(_ key: String) -> [String]? { metadata[key]?.stringArray }

    /// An array of floats, or `nil` if absent or not a float array.
    public func floatArray(_ key: String) -> [Float]? { metadata[key]?.floatArray }

    /// An array of integers (any width) as `Int`, or `nil` if absent or not an integer array.
    public func intArray(_ key: String) -> [Int]? { metadata[key]?.intArray }

    /// `general.architecture`, e.g. `llama`.
    public var architecture: String? { string("general.architecture") }

    // MARK: - Throwing accessors

    /// The integer at `key`; throws `missingKey` or `typeMismatch`.
    public func requiredInt(_ key: String) throws(GGUFError) -> Int {
        let value = try requiredValue(key)
        guard let int = value.intValue else { throw mismatch(key, expected: "integer", value) }
        return int
    }

    /// The float at `key`; throws `missingKey` or `typeMismatch`.
    public func requiredFloat(_ key: String) throws(GGUFError) -> Float {
        let value = try requiredValue(key)
        guard let float = value.floatValue else { throw mismatch(key, expected: "float", value) }
        return float
    }

    /// The string at `key`; throws `missingKey` or `typeMismatch`.
    public func requiredString(_ key: String) throws(GGUFError) -> String {
        let value = try requiredValue(key)
        guard let string = value.stringValue else { throw mismatch(key, expected: "string", value) }
        return string
    }

    /// The integer at `key` if present; throws `typeMismatch` if present with another type.
    public func optionalInt(_ key: String) throws(GGUFError) -> Int? {
        guard let value = metadata[key] else { return nil }
        guard let int = value.intValue else { throw mismatch(key, expected: "integer", value) }
        return int
    }

    /// The float at `key` if present; throws `typeMismatch` if present with another type.
    public func optionalFloat(_ key: String) throws(GGUFError) -> Float? {
        guard let value = metadata[key] else { return nil }
        guard let float = value.floatValue else { throw mismatch(key, expected: "float", value) }
        return float
    }

    /// The string at `key` if present; throws `typeMismatch` if present with another type.
    public func optionalString(_ key: String) throws(GGUFError) -> String? {
        guard let value = metadata[key] else { return nil }
        guard let string = value.stringValue else { throw mismatch(key, expected: "string", value) }
        return string
    }

    private func requiredValue(_ key: String) throws(GGUFError) -> GGUFValue {
        guard let value = metadata[key] else { throw .missingKey(file: path, key: key) }
        return value
    }

    private func mismatch(_ key: String, expected: String, _ value: GGUFValue) -> GGUFError {
        .typeMismatch(file: path, key: key, expected: expected, found: value.typeDescription)
    }
}
