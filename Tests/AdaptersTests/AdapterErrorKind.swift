// Test support: the case of an AdapterError without its payload, so tests can assert which
// failure was detected without spelling out every message.

import Adapters

/// The payload-free case name of an `AdapterError`.
enum AdapterErrorKind: Equatable {
    case unreadableFile, missingWeights, badConfigJSON, badConfigField, notLoRA, doraUnsupported
    case modulesToSaveUnsupported, biasUnsupported, fanInFanOutUnsupported, unsupportedFeature, checkpoint
    case shapeMismatch, missingTensor, unexpectedTensor, noModuleMatched
}

extension AdapterError {
    var kind: AdapterErrorKind {
        switch self {
        case .unreadableFile: .unreadableFile
        case .missingWeights: .missingWeights
        case .badConfigJSON: .badConfigJSON
        case .badConfigField: .badConfigField
        case .notLoRA: .notLoRA
        case .doraUnsupported: .doraUnsupported
        case .modulesToSaveUnsupported: .modulesToSaveUnsupported
        case .biasUnsupported: .biasUnsupported
        case .fanInFanOutUnsupported: .fanInFanOutUnsupported
        case .unsupportedFeature: .unsupportedFeature
        case .checkpoint: .checkpoint
        case .shapeMismatch: .shapeMismatch
        case .missingTensor: .missingTensor
        case .unexpectedTensor: .unexpectedTensor
        case .noModuleMatched: .noModuleMatched
        }
    }
}
