// Reads a tokenizer vocabulary out of a GGUF file's `tokenizer.ggml.*` metadata.

import GGUF
import Tokenization

extension GGUFVocabulary {
    /// The vocabulary in `file`'s metadata, or nil when the file carries no tokenizer.
    public init?(file: GGUFFile) {
        guard let model = file.string("tokenizer.ggml.model"), let tokens = file.stringArray("tokenizer.ggml.tokens")
        else { return nil }
        self.init(
            model: model,
            preTokenizer: file.string("tokenizer.ggml.pre"),
            tokens: tokens,
            scores: file.floatArray("tokenizer.ggml.scores"),
            tokenTypes: file.intArray("tokenizer.ggml.token_type")?.map { Int32(truncatingIfNeeded: $0) },
            merges: file.stringArray("tokenizer.ggml.merges"),
            bosTokenID: file.int("tokenizer.ggml.bos_token_id"),
            eosTokenID: file.int("tokenizer.ggml.eos_token_id"),
            endOfTurnTokenID: file.int("tokenizer.ggml.eot_token_id"),
            unknownTokenID: file.int("tokenizer.ggml.unknown_token_id"),
            paddingTokenID: file.int("tokenizer.ggml.padding_token_id"),
            addBOSToken: file.bool("tokenizer.ggml.add_bos_token"),
            addEOSToken: file.bool("tokenizer.ggml.add_eos_token"),
            addSpacePrefix: file.bool("tokenizer.ggml.add_space_prefix"))
    }
}
