// What every StepExecutor does with a forward pass's logits: sample one token per row and, only when a
// request asked for log-probabilities, bring the raw logits to the host.

import Backend
import Llama

extension LlamaModel {
    /// Samples `rows` from `output` (`[rows.count, V]`, this model's forward result); with `logits`, also the
    /// raw logits on the host (`[rows.count · V]`), else `[]`.
    func sampleStep(_ output: B.Tensor, rows: [SamplingRow], logits: Bool) -> (tokens: [Int32], logits: [Float]) {
        guard !rows.isEmpty else { return ([], []) }
        let vocabulary = config.vocabularySize
        let tokens = backend.sample(output, vocabularySize: vocabulary, rows: rows)
        let host = logits ? backend.download(output, count: rows.count * vocabulary) : []
        return (tokens, host)
    }
}
