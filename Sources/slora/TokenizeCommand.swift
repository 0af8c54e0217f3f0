// `slora tokenize`: the token ids the model's tokenizer gives a text, as a JSON array on stdout (the
// same ids the server feeds the model for a /v1/completions prompt).

import ArgumentParser
import Engine
import Foundation

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text as a JSON array.")

    @Option(help: "An HF model directory (tokenizer.json) or a GGUF file (tokenizer.ggml.* metadata).")
    var model: String

    @Flag(help: "Leave out what the tokenizer adds around a sequence (e.g. BOS).")
    var noSpecialTokens = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() throws {
        let files = try ModelFiles.open(model)
        guard let tokenizer = files.tokenizer else {
            throw ValidationError("\(model) has no tokenizer (no tokenizer.json / tokenizer.ggml.* metadata)")
        }
        let ids = tokenizer.encode(text, addSpecialTokens: !noSpecialTokens)
        print("[" + ids.map(String.init).joined(separator: ",") + "]")
    }
}
