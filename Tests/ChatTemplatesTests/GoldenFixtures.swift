// Loads Tests/Fixtures/chat-templates/{golden,snippets}.json (made by scripts/make_template_golden.py
// from transformers + jinja2) into test-case values for `@Test(arguments:)`. The JSON is read with
// `TemplateValue(json:)` because message and context dictionaries must keep their key order.

import ChatTemplates
import Foundation
import Testing

// MARK: - Fixture files

enum GoldenFixtures {
    /// The fixture folder, found from this source file's real path.
    static var directory: URL {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Fixtures").path) {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Fixtures/chat-templates")
    }

    static func load(_ name: String) -> TemplateValue? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            return nil
        }
        return try? TemplateValue(json: String(decoding: data, as: UTF8.self))
    }

    static let golden: [ConversationCase] = {
        guard case .dict(let root)? = load("golden.json"), case .dict(let templates)? = root["templates"],
            case .list(let cases)? = root["cases"]
        else { return [] }
        return cases.compactMap { ConversationCase($0, templates: templates) }
    }()

    static let snippets: [SnippetCase] = {
        guard case .dict(let root)? = load("snippets.json"), case .list(let cases)? = root["cases"] else { return [] }
        return cases.compactMap(SnippetCase.init)
    }()
}

// MARK: - Expected outcomes

/// What the reference produced: text, or an exception with its Python class and message.
enum GoldenOutcome: Sendable, Equatable {
    case text(String)
    case error(type: String, message: String)

    init?(_ dict: TemplateDictionary) {
        if case .string(let text)? = dict["expected"] {
            self = .text(text)
        } else if case .dict(let error)? = dict["error"], case .string(let type)? = error["type"],
            case .string(let message)? = error["message"]
        {
            self = .error(type: type, message: message)
        } else {
            return nil
        }
    }
}

// MARK: - Cases

/// One template x conversation x flags case of golden.json.
struct ConversationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var source: String
    var messages: [ChatMessage]
    var addGenerationPrompt: Bool
    var bosToken: String
    var eosToken: String
    var extra: [String: TemplateValue]
    var outcome: GoldenOutcome

    var testDescription: String { name }

    init?(_ value: TemplateValue, templates: TemplateDictionary) {
        guard case .dict(let dict) = value, case .string(let name)? = dict["name"],
            case .string(let template)? = dict["template"], case .string(let source)? = templates[template],
            case .list(let messages)? = dict["messages"], case .bool(let agp)? = dict["add_generation_prompt"],
            case .string(let bos)? = dict["bos_token"], case .string(let eos)? = dict["eos_token"],
            case .dict(let extra)? = dict["extra"], let outcome = GoldenOutcome(dict)
        else { return nil }
        self.name = name
        self.source = source
        self.messages = messages.compactMap(Self.message)
        self.addGenerationPrompt = agp
        self.bosToken = bos
        self.eosToken = eos
        self.extra = Dictionary(uniqueKeysWithValues: extra.pairs.map { ($0.key, $0.value) })
        self.outcome = outcome
    }

    /// A fixture message dict as a `ChatMessage` (unknown keys go to `extra`).
    static func message(_ value: TemplateValue) -> ChatMessage? {
        guard case .dict(let dict) = value, case .string(let role)? = dict["role"] else { return nil }
        var message = ChatMessage(role: role, content: nil)
        for (key, field) in dict.pairs {
            switch (key, field) {
            case ("role", _): break
            case ("content", .string(let text)): message.content = text
            case ("name", .string(let text)): message.name = text
            case ("tool_calls", .list(let calls)): message.toolCalls = calls
            case ("tool_call_id", .string(let text)): message.toolCallID = text
            default: message.extra[key] = field
            }
        }
        return message
    }
}

/// One feature snippet of snippets.json.
struct SnippetCase: Sendable, CustomTestStringConvertible {
    var name: String
    var source: String
    var context: [String: TemplateValue]
    var outcome: GoldenOutcome

    var testDescription: String { name }

    init?(_ value: TemplateValue) {
        guard case .dict(let dict) = value, case .string(let name)? = dict["name"],
            case .string(let source)? = dict["source"], case .dict(let context)? = dict["context"],
            let outcome = GoldenOutcome(dict)
        else { return nil }
        self.name = name
        self.source = source
        self.context = Dictionary(uniqueKeysWithValues: context.pairs.map { ($0.key, $0.value) })
        self.outcome = outcome
    }
}
