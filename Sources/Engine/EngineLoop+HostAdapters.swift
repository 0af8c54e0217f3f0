// Serving an adapter that is already in host memory (benchmarks' random adapters, S-LoRA's `--dummy`):
// the same publication as a load from a directory (EngineLoop+Adapters.swift), minus the files. Copies
// may share one weight stream (Swift arrays are copy-on-write), as S-LoRA's numbered adapter copies
// shared host weights; each still gets its own AdapterID and its own pool pages when resident.

import Adapters

extension EngineLoop {
    /// Serves `adapter` under `adapter.name`.
    public func registerAdapter(_ adapter: LoRAAdapter) throws(AdapterRegistrationError) {
        let name = adapter.name
        guard !name.isEmpty, name != configuration.servedModelName else { throw .nameTaken(name: name) }
        guard adapter.layout.layerCount == modelConfiguration.layerCount, adapter.widths == modelConfiguration.projectionWidths
        else {
            throw .invalid(name: name, reason: "it was built for another model shape")
        }
        let pages = adapterPageCount(adapter)
        guard pages + geometry.kvPageCount(tokenCount: 1) <= configuration.pageCount else {
            throw .invalid(name: name, reason: "it needs \(pages) pool pages and the pool has \(configuration.pageCount)")
        }
        try mailbox.withState { (s: inout EngineSharedState) throws(AdapterRegistrationError) in
            guard s.adapters[name] == nil, !s.loading.contains(name) else { throw .alreadyLoaded(name: name) }
            let id = AdapterID(s.nextAdapterID)
            s.nextAdapterID += 1
            s.adapters[name] = ServedAdapter(
                id: id, name: name, path: "(in memory)", pageCount: pages, created: created, order: s.nextLoadOrder)
            s.nextLoadOrder += 1
            s.inbox.append(.register(id, adapter))
        }
        mailbox.wake()
    }
}
