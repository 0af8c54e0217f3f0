// Names for the fault codes that debug-mode kernels write (common.cuh FAULT_*), so a failed bounds
// check reads as a sentence.

/// Decodes a debug fault word `(code, a, b, block)`.
public enum CUDAKernelFault {
    public static func describe(code: Int32, a: Int32, b: Int32, block: Int32) -> String {
        let what: String
        switch code {
        case 1: what = "token id \(a) outside the vocabulary (token \(b))"
        case 2: what = "sequence index \(a) outside the step's sequences (token \(b))"
        case 3: what = "page-table entry \(a) past the table's stride (position \(b))"
        case 4: what = "pool page \(a) outside the pool (position or stream element \(b))"
        case 5: what = "adapter slot \(a) outside the batch's slots (token \(b))"
        case 6: what = "adapter page index \(a) past the slot's page list (slot \(b))"
        case 7: what = "adapter rank \(a) larger than the shrink output's row stride \(b)"
        case 8: what = "row \(a) out of range (\(b))"
        case 9: what = "negative position \(a) (token \(b))"
        default: what = "fault code \(code) (a \(a), b \(b))"
        }
        return what + ", in block \(block)"
    }
}
