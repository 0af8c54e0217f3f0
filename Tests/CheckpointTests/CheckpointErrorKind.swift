// Test support: the case of a CheckpointError without its payload, so tests can assert which
// failure was detected without spelling out every message.

import Checkpoint

/// The payload-free case name of a `CheckpointError`.
enum CheckpointErrorKind: Equatable {
    case unreadableFile, noWeightsFound, truncatedFile, headerLengthPastEnd, badJSON, invalidHeader
    case duplicateTensor, unsupportedDType, badDataOffsets, wrongShape, missingTensor, badConfigField
    case unsupportedConfigValue
}

extension CheckpointError {
    var kind: CheckpointErrorKind {
        switch self {
        case .unreadableFile: .unreadableFile
        case .noWeightsFound: .noWeightsFound
        case .truncatedFile: .truncatedFile
        case .headerLengthPastEnd: .headerLengthPastEnd
        case .badJSON: .badJSON
        case .invalidHeader: .invalidHeader
        case .duplicateTensor: .duplicateTensor
        case .unsupportedDType: .unsupportedDType
        case .badDataOffsets: .badDataOffsets
        case .wrongShape: .wrongShape
        case .missingTensor: .missingTensor
        case .badConfigField: .badConfigField
        case .unsupportedConfigValue: .unsupportedConfigValue
        }
    }
}
