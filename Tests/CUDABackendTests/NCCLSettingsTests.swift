// NCCL's loader-side guarantees that need no GPU: NVLink multicast is forced off whatever the
// environment said, and NCCL failures name the function and NCCL's message.

import CUDADriver
import Foundation
import Testing

@Suite("NCCL settings without a GPU")
struct NCCLSettingsTests {
    /// Oracle: the rule of the GPU hosts (NCCL_NVLS_ENABLE must be 0): set to 1 first, it reads 0 after.
    @Test func multicastIsForcedOff() {
        setenv("NCCL_NVLS_ENABLE", "1", 1)
        NCCLAPI.disableMulticast()
        #expect(ProcessInfo.processInfo.environment["NCCL_NVLS_ENABLE"] == "0")
    }

    /// Oracle: the error text promised by NCCLError (function, code, NCCL's message).
    @Test func errorsNameTheFunction() {
        let error = NCCLError.call(function: "ncclCommInitAll", code: 5, message: "invalid usage")
        #expect(error.description == "ncclCommInitAll failed: NCCL error 5: invalid usage")
        #expect(NCCLError.notEnoughDevices(requested: 2, available: 1).description.contains("needs 2 devices"))
    }
}
