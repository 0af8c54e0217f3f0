// RoPE inverse frequencies for a LlamaConfiguration, following transformers'
// `modeling_rope_utils` (`_compute_default_rope_parameters`, `_compute_linear_scaling_rope_parameters`,
// `_compute_llama3_parameters`) step by step, in Double rather than torch float32.

import Foundation

extension LlamaConfiguration {
    /// The `headDim / 2` inverse frequencies θ⁻²ⁱᐟᵈ (d = headDim), rescaled per `ropeScaling`.
    ///
    /// Rotary pairs are "rotate half" (NeoX) style: frequency `i` rotates elements `i` and
    /// `i + headDim/2` of each head by angle `position · inverseFrequency[i]`.
    /// - Returns: `[headDim / 2]`.
    public func ropeInverseFrequencies() -> [Double] {
        let dimension = Double(headDim)
        let base = (0..<headDim / 2).map { index in
            1.0 / pow(ropeTheta, Double(2 * index) / dimension)
        }
        switch ropeScaling {
        case .none:
            return base
        case .linear(let factor):
            return base.map { $0 / factor }
        case .llama3(let factor, let lowFreqFactor, let highFreqFactor, let originalMaxPositionEmbeddings):
            let context = Double(originalMaxPositionEmbeddings)
            let lowFreqWavelength = context / lowFreqFactor
            let highFreqWavelength = context / highFreqFactor
            return base.map { inverseFrequency in
                let wavelength = 2 * Double.pi / inverseFrequency
                // Same comparisons as HF: long wavelengths are divided by `factor`, short ones kept,
                // and those with hi ≤ wavelength ≤ lo blended.
                if wavelength < highFreqWavelength { return inverseFrequency }
                if wavelength > lowFreqWavelength { return inverseFrequency / factor }
                let smooth = (context / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
                return (1 - smooth) * inverseFrequency / factor + smooth * inverseFrequency
            }
        }
    }
}
