import Foundation

/// Debian's Orthanc started by a test on loopback: a temporary configuration
/// (SQLite index and storage in the test's folder, no remote access), its
/// DICOM and HTTP ports chosen free, stopped by `stop()`. A real PACS for the
/// proxy's forwarding tests and a real C-FIND/C-MOVE SCP for DicomNet's.
public final class Orthanc: @unchecked Sendable {
    /// A DICOM peer Orthanc may move to (`DicomModalities` entry).
    public struct Modality: Sendable {
        public var aeTitle: String
        public var host: String
        public var port: UInt16
        public init(aeTitle: String, host: String = "127.0.0.1", port: UInt16) {
            self.aeTitle = aeTitle
            self.host = host
            self.port = port
        }
    }

    /// The executable, nil when Orthanc is not installed (`make test-deps`).
    public static var executable: String? {
        TestEnvironment.which("Orthanc")
            ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : nil)
    }

    public let aeTitle: String
    public let dicomPort: UInt16
    public let httpPort: UInt16
    public let process: Peers.Background

    /// Starts Orthanc with its files under `folder`; waits until both ports answer.
    public init(in folder: URL, aeTitle: String = "ORTHANC", modalities: [String: Modality] = [:]) throws {
        guard let executable = Self.executable else { throw CocoaError(.fileNoSuchFile) }
        self.aeTitle = aeTitle
        (dicomPort, httpPort) = (Peers.freePort(), Peers.freePort())
        let storage = folder.appendingPathComponent("orthanc")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        let entries = modalities.sorted { $0.key < $1.key }
            .map { "\"\($0.key)\": [\"\($0.value.aeTitle)\", \"\($0.value.host)\", \($0.value.port)]" }
            .joined(separator: ", ")
        let config = folder.appendingPathComponent("orthanc.json")
        try """
        { "Name": "bodypart-test", "StorageDirectory": "\(storage.path)", "IndexDirectory": "\(storage.path)",
          "DicomAet": "\(aeTitle)", "DicomPort": \(dicomPort), "HttpPort": \(httpPort), "RemoteAccessAllowed": false,
          "AuthenticationEnabled": false, "DicomAlwaysAllowStore": true, "DicomAlwaysAllowEcho": true,
          "DicomAlwaysAllowFind": true, "DicomAlwaysAllowMove": true,
          "DicomCheckCalledAet": false, "DicomModalities": { \(entries) }, "Plugins": [] }
        """.write(to: config, atomically: true, encoding: .utf8)
        process = try Peers.Background(executable, [config.path], log: folder.appendingPathComponent("orthanc.log"))
        process.grace = 5
        let (dicom, http) = (dicomPort, httpPort)
        _ = Peers.waitUntil(30) { Peers.isListening(dicom) && Peers.isListening(http) }
    }

    /// Stops Orthanc (SIGTERM, then SIGKILL after a few seconds).
    public func stop() { process.stop() }

    /// GET on the REST API (`/instances`...); "" when it fails.
    public func get(_ path: String, to file: String? = nil) throws -> String {
        try TestEnvironment.run(
            "/usr/bin/curl", ["-sf", "http://127.0.0.1:\(httpPort)\(path)"] + (file.map { ["-o", $0] } ?? [])
        ).stdout
    }

    /// The Orthanc ids of the stored instances.
    public func instances() -> [String] {
        let text = (try? get("/instances")) ?? "[]"
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    /// Uploads files through the REST API (`POST /instances`); returns how many were accepted.
    @discardableResult
    public func upload(_ files: [String]) throws -> Int {
        var accepted = 0
        for file in files {
            let result = try TestEnvironment.run(
                "/usr/bin/curl",
                [
                    "-sf", "-X", "POST", "--data-binary", "@\(file)",
                    "http://127.0.0.1:\(httpPort)/instances",
                ])
            if result.status == 0 { accepted += 1 }
        }
        return accepted
    }

    /// What Orthanc logged.
    public var output: String { process.output }
}
