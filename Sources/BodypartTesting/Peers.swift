import DicomCore
import DicomIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Real peers for the proxy's end-to-end tests, all on 127.0.0.1 on ports
/// chosen free by the test: the built `bodypart proxy`, DCMTK's storescp and
/// storescu, Debian's Orthanc.
public enum Peers {
    /// A process started in the background, its output in files.
    public final class Background: @unchecked Sendable {
        public let process = Process()
        public let log: URL
        /// Seconds `stop()` waits after SIGTERM before SIGKILL.
        public var grace: Double = 20

        public init(_ executable: String, _ arguments: [String], log: URL, environment: [String: String] = [:]) throws {
            self.log = log
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["TCP_NODELAY"] = "1"
            for (key, value) in environment { env[key] = value }
            process.environment = env
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.currentDirectoryURL = TestEnvironment.packageRoot
            try process.run()
        }

        /// SIGTERM, then wait for the exit (SIGKILL after `grace` seconds:
        /// a child may inherit SIGTERM ignored from the test runner).
        public func stop() {
            guard process.isRunning else { return }
            process.terminate()
            if !Peers.waitUntil(grace, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        /// SIGKILL, no chance to clean up.
        public func kill9() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
    }

    /// A TCP port nobody listens on right now.
    public static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// True once something accepts TCP connections on the port.
    public static func isListening(_ port: UInt16) -> Bool {
        guard let fd = connectLoopback(port) else { return false }
        close(fd)
        return true
    }

    /// A TCP connection to 127.0.0.1:`port` (the caller closes it), nil when refused.
    public static func connectLoopback(_ port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if connected { return fd }
        close(fd)
        return nil
    }

    /// True when a DICOM peer on 127.0.0.1:`port` answers DCMTK's echoscu.
    public static func echoes(_ port: UInt16, calledAE: String = "ANY-SCP") -> Bool {
        (try? TestEnvironment.run(tool("echoscu"), ["-to", "2", "-aec", calledAE, "127.0.0.1", "\(port)"]).status) == 0
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` seconds pass.
    @discardableResult
    public static func waitUntil(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    public static func tool(_ name: String) -> String { TestEnvironment.which(name) ?? "/usr/bin/\(name)" }

    /// `storescp -od FOLDER PORT` (uncompressed only unless `acceptAll`).
    public static func storescp(into folder: URL, port: UInt16, acceptAll: Bool = true, options: [String] = [], log: URL) throws -> Background {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scp = try Background(tool("storescp"), (acceptAll ? ["+xa"] : []) + options + ["-od", folder.path, "\(port)"], log: log)
        scp.grace = 1
        _ = waitUntil(10) { isListening(port) }
        return scp
    }

    /// The proxy with `arguments` after `proxy`; waits for its port.
    public static func proxy(_ arguments: [String], port: UInt16, log: URL) throws -> Background {
        let proxy = try Background(TestEnvironment.bodypart, ["proxy", "--port", "\(port)"] + arguments, log: log)
        _ = waitUntil(30) { isListening(port) || !proxy.process.isRunning }
        return proxy
    }

    /// `storescu -v` sending `files` to the proxy over one association.
    public static func storescu(_ files: [String], port: UInt16, callingAE: String = "MODALITY", calledAE: String = "BODYPART",
                         options: [String] = []) throws -> TestEnvironment.Output {
        try TestEnvironment.run(tool("storescu"), ["-v", "-aet", callingAE, "-aec", calledAE] + options + ["127.0.0.1", "\(port)"] + files)
    }

    /// Compressed dicom-dev files with the storescu option that proposes their transfer syntax.
    public static let compressed: [(file: String, option: String)] = [
        ("fo-dicom__fo-dicom/Tests/FO-DICOM.Tests/Test Data/GH538-jpeg1.dcm", "-xy"),
        ("pydicom__pylibjpeg-data/ljdata/ds/JPEGExtended/JPEGExtended_3s_1f_u_08_08.dcm", "-xx"),
        ("fo-dicom__fo-dicom/Tests/FO-DICOM.Tests/Test Data/CR-ModalitySequenceLUT.dcm", "-xs"),
        ("ivmartel__dwv/tests/data/nema-vl2_j2kr.dcm", "-xv"),
        ("fo-dicom__fo-dicom/Tests/FO-DICOM.Tests/Test Data/VL5_J2KI.dcm", "-xw"),
        ("orthanc-mirrors__orthanc-tests/Database/Formats/JpegLossless.dcm", "-xt"),
        ("pydicom__pylibjpeg-data/ljdata/ds/JPEGLS/RG2_JLSN.dcm", "-xu"),
    ].map { (TestEnvironment.dicomDevFiles.appendingPathComponent($0.0).path, $0.1) }

    /// How many C-STORE responses of storescu's verbose output said Success.
    public static func successes(_ output: TestEnvironment.Output) -> Int {
        (output.stdout + output.stderr).components(separatedBy: "Received Store Response (Success)").count - 1
    }

    /// Files of a dicom-dev folder, sorted.
    public static func dev(_ folder: String) -> [String] {
        TestEnvironment.files(under: TestEnvironment.dicomDevFiles.appendingPathComponent(folder))
    }

    public static let lungCT = "plotly__dash-vtk/demos/data/ct_lung"
    public static let wholeBodyCT = "plotly__dash-vtk@46b4801/demos/data/ct_whole_body"

    /// SOP Instance UID → file, for the DICOM files in `folder`.
    public static func bySOPInstance(_ folder: URL) -> [String: String] {
        var result: [String: String] = [:]
        for file in TestEnvironment.files(under: folder) {
            if let header = try? HeaderReader().read(file), let sop = header.dataset.string(.sopInstanceUID) { result[sop] = file }
        }
        return result
    }

    public static func sopInstanceUID(_ file: String) -> String? { try? HeaderReader().read(file).dataset.string(.sopInstanceUID) }

    /// The proxy's arguments for one storescp destination, a spool, an audit and the test config in `folder`.
    public static func arguments(_ folder: URL, destinationPort: UInt16, spool: URL? = nil, extra: [String] = []) throws -> [String] {
        ["--destination", "STORESCP@127.0.0.1:\(destinationPort)", "--spool", (spool ?? folder.appendingPathComponent("spool")).path,
         "--audit", folder.appendingPathComponent("audit.sqlite").path, "--config", try config(in: folder)] + extra
    }

    /// A YAML configuration file with fast retries for tests.
    public static func config(in folder: URL, _ extra: String = "") throws -> String {
        let path = folder.appendingPathComponent("proxy.yaml").path
        try """
            retry:
              initial_delay: 0.2
              max_delay: 1
              max_attempts: 3
            timeouts:
              stop: 10
              idle_release: 1
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
