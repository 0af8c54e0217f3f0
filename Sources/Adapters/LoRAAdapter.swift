// One loaded LoRA adapter: its weights packed as one element stream in AdapterStreamLayout order
// (ready to be paged into the unified pool), its per-(layer, module) scalings, and its identity
// (name + content hash). Loading from a PEFT directory is in LoRAAdapter+Loading.swift.

import Foundation
import MemoryPool

/// A validated LoRA adapter in slora's stream layout.
///
/// For a targeted (layer `l`, module `m`) with rank r, the adapter adds
/// `scalings[l][m.index] · B (A x)` to the projection's output; A `[r, in]` and Bᵀ `[r, out]` sit in
/// `stream` at `layout.entry(layer: l, module: m)`.
public final class LoRAAdapter: Sendable {
    /// The name the adapter is served under.
    public let name: String
    /// The directory it was loaded from (nil when built in memory).
    public let directory: URL?
    /// The parsed `adapter_config.json` (nil when built in memory).
    public let config: PEFTAdapterConfig?
    /// The base model's projection widths the adapter was validated against.
    public let widths: ProjectionWidths
    /// Where each A and Bᵀ sits in `stream`.
    public let layout: AdapterStreamLayout
    /// `[layout.elementCount]`: per layer, per targeted module: A `[rank, in]` then Bᵀ `[rank, out]`.
    public let stream: [Float]
    /// `[layerCount][LoRAModule.allCases.count]`: PEFT's `scaling` per module, 0 where not targeted.
    public let scalings: [[Float]]
    /// Lower-case hex SHA-256 of `adapter_config.json` bytes followed by `adapter_model.safetensors` bytes.
    public let contentHash: String

    /// `name@<first 16 hex digits of contentHash>`: changes whenever the files change, so caches
    /// keyed by it never mix two versions of an adapter loaded under one name.
    public var identity: String { name + "@" + contentHash.prefix(16) }

    /// Builds an adapter from already-packed values (tests and tools; no files involved).
    /// - Parameters:
    ///   - ranks: `[layerCount][7]`, 0 where not targeted.
    ///   - scalings: `[layerCount][7]`.
    ///   - stream: `[AdapterStreamLayout(ranks:widths:).elementCount]`.
    public convenience init(
        name: String, widths: ProjectionWidths, ranks: [[Int]], scalings: [[Float]], stream: [Float],
        contentHash: String
    ) {
        let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
        precondition(
            stream.count == layout.elementCount,
            "stream has \(stream.count) elements, layout needs \(layout.elementCount)")
        precondition(scalings.count == ranks.count && scalings.allSatisfy { $0.count == LoRAModule.allCases.count })
        self.init(
            name: name, directory: nil, config: nil, widths: widths, layout: layout, stream: stream,
            scalings: scalings, contentHash: contentHash)
    }

    init(
        name: String, directory: URL?, config: PEFTAdapterConfig?, widths: ProjectionWidths,
        layout: AdapterStreamLayout, stream: [Float], scalings: [[Float]], contentHash: String
    ) {
        self.name = name
        self.directory = directory
        self.config = config
        self.widths = widths
        self.layout = layout
        self.stream = stream
        self.scalings = scalings
        self.contentHash = contentHash
    }

    // MARK: - Per-module views

    /// The rank of (layer, module), 0 when not targeted.
    public func rank(layer: Int, module: LoRAModule) -> Int {
        layout.entry(layer: layer, module: module)?.rank ?? 0
    }

    /// `scaling · B · A` as `[outputWidth, inputWidth]` (row-major, like the base weight it is added
    /// to), or nil when the module is not targeted. O(out · in · rank): for tests and merging.
    public func deltaWeight(layer: Int, module: LoRAModule) -> [Float]? {
        guard let entry = layout.entry(layer: layer, module: module) else { return nil }
        let inputWidth = widths.inputWidth(module)
        let outputWidth = widths.outputWidth(module)
        let scaling = scalings[layer][module.index]
        var delta = [Float](repeating: 0, count: outputWidth * inputWidth)  // [out, in]
        stream.withUnsafeBufferPointer { stream in
            for row in 0..<entry.rank {
                let a = entry.aOffset + row * inputWidth  // A row `row`: [in]
                let bT = entry.bOffset + row * outputWidth  // Bᵀ row `row`: [out]
                for output in 0..<outputWidth {
                    let b = stream[bT + output] * scaling
                    if b == 0 { continue }
                    for input in 0..<inputWidth { delta[output * inputWidth + input] += b * stream[a + input] }
                }
            }
        }
        return delta
    }
}
