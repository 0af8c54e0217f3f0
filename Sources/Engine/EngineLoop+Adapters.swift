// Runtime adapter management (vLLM's load_lora_adapter / unload_lora_adapter): a load resolves the
// path under the adapter root, loads and validates the whole adapter off the engine thread, and only
// then publishes the name and posts it to the thread under a fresh AdapterID. A failed load changes
// nothing. An unload unpublishes the name at once; the thread frees the pages after the last request.

import Adapters
import Checkpoint
import Dispatch
import Foundation

extension EngineLoop {
    /// Loads the PEFT adapter at `path` and serves it as `name`.
    /// - Parameter restricted: apply the adapter root (runtime loads); false for `--adapter` at start.
    public func loadAdapter(name: String, path: String, restricted: Bool = true) async throws(AdapterRegistrationError) {
        guard !name.isEmpty, name != configuration.servedModelName else { throw .nameTaken(name: name) }
        try mailbox.withState { (s: inout EngineSharedState) throws(AdapterRegistrationError) in
            guard s.adapters[name] == nil, !s.loading.contains(name) else { throw .alreadyLoaded(name: name) }
            s.loading.insert(name)
        }
        do throws(AdapterRegistrationError) {
            let directory =
                try restricted
                ? configuration.adapterPaths.resolve(path) : AdapterPathPolicy(root: nil).resolve(path)
            let adapter = try await Self.load(name: name, directory: directory, base: modelConfiguration)
            let pages = adapterPageCount(adapter)
            guard pages + geometry.kvPageCount(tokenCount: 1) <= configuration.pageCount else {
                throw AdapterRegistrationError.invalid(
                    name: name, reason: "it needs \(pages) pool pages and the pool has \(configuration.pageCount)")
            }
            mailbox.withState { s in
                let id = AdapterID(s.nextAdapterID)
                s.nextAdapterID += 1
                s.adapters[name] = ServedAdapter(
                    id: id, name: name, path: directory.path, pageCount: pages, created: Int(Date().timeIntervalSince1970),
                    order: s.nextLoadOrder)
                s.nextLoadOrder += 1
                s.loading.remove(name)
                s.inbox.append(.register(id, adapter))
            }
            mailbox.wake()
        } catch {
            mailbox.withState { _ = $0.loading.remove(name) }
            throw error
        }
    }

    /// Stops serving `name`: new requests naming it get `unknownModel` at once; admitted ones finish.
    public func unloadAdapter(name: String) throws(AdapterRegistrationError) {
        guard !name.isEmpty else { throw .notLoaded(name: name) }
        let id = try mailbox.withState { (s: inout EngineSharedState) throws(AdapterRegistrationError) -> AdapterID in
            guard let served = s.adapters.removeValue(forKey: name) else { throw .notLoaded(name: name) }
            return served.id
        }
        mailbox.post(.retire(id))
    }

    /// `LoRAAdapter.load` on a Dispatch worker, so reading large files never blocks the caller's pool.
    private static func load(
        name: String, directory: URL, base: LlamaConfiguration
    ) async throws(AdapterRegistrationError) -> LoRAAdapter {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<LoRAAdapter, AdapterError>, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(AdapterError) -> LoRAAdapter in
                    try LoRAAdapter.load(name: name, directory: directory, base: base)
                })
            }
        }
        switch result {
        case .success(let adapter): return adapter
        case .failure(let error): throw .invalid(name: name, reason: error.description)
        }
    }
}
