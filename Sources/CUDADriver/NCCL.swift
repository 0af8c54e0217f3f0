// NCCL (libnccl.so.2) loaded with dlopen, like the other CUDA libraries: the few entry points tensor
// parallelism uses, `NCCLError` (the function and NCCL's own message), and one communicator per GPU of
// a single-process group. NVLink multicast (NVLS) is forced off before any communicator exists.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A failed NCCL call, or a communicator group that cannot be built as asked.
public enum NCCLError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `function` returned `ncclResult_t` `code`; `message` is `ncclGetErrorString` (and
    /// `ncclGetLastError` where the library has it).
    case call(function: String, code: Int32, message: String)
    /// A group of `requested` GPUs on a machine whose driver sees `available`.
    case notEnoughDevices(requested: Int, available: Int)

    public var description: String {
        switch self {
        case .call(let function, let code, let message):
            "\(function) failed: NCCL error \(code): \(message)"
        case .notEnoughDevices(let requested, let available):
            "tensor parallelism over \(requested) GPUs needs \(requested) devices; the driver sees \(available)"
        }
    }
}

/// `ncclDataType_t` values used here.
public enum NCCLDataType: Int32, Sendable {
    case float32 = 7  // ncclFloat32
    case bfloat16 = 9  // ncclBfloat16
}

/// The libnccl function table.
public struct NCCLAPI: @unchecked Sendable {
    public typealias Comm = OpaquePointer?
    let library: DynamicLibrary
    let ncclGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let ncclGetErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    /// `ncclCommInitAll(comms, ndev, devlist)`: one communicator per listed device, from one thread.
    let ncclCommInitAll: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32, UnsafePointer<Int32>) -> Int32
    let ncclCommDestroy: @convention(c) (OpaquePointer?) -> Int32
    /// `ncclAllReduce(send, recv, count, datatype, op, comm, stream)`.
    let ncclAllReduce: @convention(c) (CUdeviceptr, CUdeviceptr, Int, Int32, Int32, OpaquePointer?, OpaquePointer?) -> Int32
    /// `ncclGetLastError(comm)` (NCCL ≥ 2.13): the text behind the last failure.
    let ncclGetLastError: (@convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?)?

    /// The file that was opened.
    public var libraryPath: String { library.path }

    /// NCCL's version as `ncclGetVersion` reports it (e.g. 22703 for 2.27.3).
    public let version: Int

    /// Sets NCCL_NVLS_ENABLE=0 (`disableMulticast`), then opens libnccl.so.2: `$SLORA_NCCL_LIB_DIR`, the CUDA folders, the nvidia-nccl pip package's folder
    /// under the usual Python prefixes, then the loader's search path.
    public static func load() throws -> NCCLAPI {
        disableMulticast()
        let library = try DynamicLibrary.open(
            name: "libnccl.so.2 (NCCL)",
            candidates: DynamicLibrary.candidates(
                stem: "libnccl.so", in: libraryDirectories, fallbackSonames: ["libnccl.so.2", "libnccl.so"]))
        return try NCCLAPI(library: library)
    }

    init(library: DynamicLibrary) throws {
        self.library = library
        ncclGetVersion = try library.function("ncclGetVersion")
        ncclGetErrorString = try library.function("ncclGetErrorString")
        ncclCommInitAll = try library.function("ncclCommInitAll")
        ncclCommDestroy = try library.function("ncclCommDestroy")
        ncclAllReduce = try library.function("ncclAllReduce")
        ncclGetLastError = library.optionalFunction("ncclGetLastError")
        var version: Int32 = 0
        let status = ncclGetVersion(&version)
        self.version = Int(version)
        try check(status, "ncclGetVersion")
    }

    /// `2.27.3` from 22703 (or `2.9.9` from 2909: NCCL < 2.9 used a two-digit minor).
    public var versionString: String {
        version >= 10000
            ? "\(version / 10000).\(version / 100 % 100).\(version % 100)" : "\(version / 1000).\(version / 100 % 10).\(version % 100)"
    }

    /// Throws `NCCLError.call` naming `function` unless `status` is ncclSuccess.
    public func check(_ status: Int32, _ function: StaticString, comm: Comm = nil) throws(NCCLError) {
        guard status != 0 else { return }
        var message = ncclGetErrorString(status).map { String(cString: $0) } ?? "ncclResult_t \(status)"
        if let last = ncclGetLastError?(comm).map({ String(cString: $0) }), !last.isEmpty { message += " (\(last))" }
        throw .call(function: "\(function)", code: status, message: message)
    }

    // MARK: - Locating libnccl

    /// `$SLORA_NCCL_LIB_DIR` (colon-separated), the CUDA folders, then `nvidia/nccl/lib` of every
    /// Python 3 site-packages / dist-packages under /opt/torch/.venv, /usr/local and /usr.
    static var libraryDirectories: [String] {
        var directories: [String] = []
        if let list = ProcessInfo.processInfo.environment["SLORA_NCCL_LIB_DIR"] {
            directories += list.split(separator: ":").map(String.init)
        }
        directories += DynamicLibrary.cudaLibraryDirectories
        for prefix in ["/opt/torch/.venv/lib", "/usr/local/lib", "/usr/lib"] {
            let pythons = (try? FileManager.default.contentsOfDirectory(atPath: prefix))?.filter { $0.hasPrefix("python3") } ?? []
            for python in pythons.sorted() {
                for packages in ["site-packages", "dist-packages"] {
                    directories.append("\(prefix)/\(python)/\(packages)/nvidia/nccl/lib")
                }
            }
        }
        return directories
    }

    /// Forces NVLink multicast (NVLS) off for every communicator this process creates. Multicast can put
    /// a host's shared GPUs out of service; slora never uses it, whatever the environment said.
    public static func disableMulticast() {
        setenv("NCCL_NVLS_ENABLE", "0", 1)
    }
}

/// One rank's NCCL communicator; destroyed in `deinit` (from the rank's own thread, where its GPU's
/// context is current).
public final class NCCLCommunicator: @unchecked Sendable {
    public let api: NCCLAPI
    public let rank: Int
    public let worldSize: Int
    /// The CUDA device ordinal of this rank.
    public let device: Int
    let comm: OpaquePointer?

    init(api: NCCLAPI, comm: OpaquePointer?, rank: Int, worldSize: Int, device: Int) {
        self.api = api
        self.comm = comm
        self.rank = rank
        self.worldSize = worldSize
        self.device = device
    }

    deinit { _ = api.ncclCommDestroy(comm) }

    /// One communicator per device of `devices` (rank r on `devices[r]`), built in one call from this
    /// thread (`ncclCommInitAll`). Sets NCCL_NVLS_ENABLE=0 first.
    /// - Throws: `NCCLError` from NCCL, `CUDAError.libraryNotFound` without libnccl.
    public static func group(api: NCCLAPI, devices: [Int]) throws -> [NCCLCommunicator] {
        precondition(!devices.isEmpty, "an NCCL group needs at least one device")
        NCCLAPI.disableMulticast()
        var comms = [OpaquePointer?](repeating: nil, count: devices.count)
        let list = devices.map { Int32($0) }
        let status = comms.withUnsafeMutableBufferPointer { out in
            list.withUnsafeBufferPointer { api.ncclCommInitAll(out.baseAddress!, Int32(devices.count), $0.baseAddress!) }
        }
        try api.check(status, "ncclCommInitAll")
        return comms.enumerated().map { rank, comm in
            NCCLCommunicator(api: api, comm: comm, rank: rank, worldSize: devices.count, device: devices[rank])
        }
    }

    /// Queues an in-place sum of `count` elements at `address` over all ranks on `stream` (a
    /// `CUstream`, also capturable into a CUDA graph). Every rank must make the same call.
    public func allReduceSum(address: CUdeviceptr, count: Int, type: NCCLDataType, stream: OpaquePointer?) throws(NCCLError) {
        try api.check(
            api.ncclAllReduce(address, address, count, type.rawValue, 0 /* ncclSum */, comm, stream), "ncclAllReduce", comm: comm)
    }
}
