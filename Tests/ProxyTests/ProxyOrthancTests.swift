import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// The proxy forwarding to a real PACS: Debian's Orthanc, on loopback, with
/// a temporary configuration (SQLite index in a temporary folder, no remote
/// access), checked through its REST API.
@Suite(.serialized) struct ProxyOrthancTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static var orthanc: String? { TestEnvironment.which("Orthanc") ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : nil) }

    func rest(_ port: UInt16, _ path: String, to file: String? = nil) throws -> String {
        try TestEnvironment.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)\(path)"] + (file.map { ["-o", $0] } ?? [])).stdout
    }

    @Test(.enabled(if: ProxyOrthancTests.orthanc != nil, "Orthanc is not installed (make test-deps)"))
    func forwardsToOrthancEveryObjectEnrichedWithPixelsUntouched() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-orthanc")
        defer { TestEnvironment.remove(folder) }
        let (dicomPort, httpPort, proxyPort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let storage = folder.appendingPathComponent("orthanc")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("orthanc.json")
        try """
            { "Name": "bodypart-test", "StorageDirectory": "\(storage.path)", "IndexDirectory": "\(storage.path)",
              "DicomAet": "ORTHANC", "DicomPort": \(dicomPort), "HttpPort": \(httpPort), "RemoteAccessAllowed": false,
              "AuthenticationEnabled": false, "DicomAlwaysAllowStore": true, "Plugins": [] }
            """.write(to: config, atomically: true, encoding: .utf8)
        let orthanc = try Peers.Background(try #require(Self.orthanc), [config.path], log: folder.appendingPathComponent("orthanc.log"))
        orthanc.grace = 5
        defer { orthanc.stop() }
        #expect(Peers.waitUntil(30) { Peers.isListening(dicomPort) && Peers.isListening(httpPort) }, "\(orthanc.output)")
        let proxy = try Peers.proxy(["--destination", "ORTHANC@127.0.0.1:\(dicomPort)", "--spool", folder.appendingPathComponent("spool").path,
                                     "--audit", folder.appendingPathComponent("audit.sqlite").path, "--config", try Peers.config(in: folder)],
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        // A series the metadata model decides (confirmed: Anatomic Region Sequence added).
        let files = Peers.dev(Peers.wholeBodyCT)
        let sent = try Peers.storescu(files, port: proxyPort)
        #expect(Peers.successes(sent) == files.count, "\(sent.stderr)")
        func instances() -> [String] {
            let text = (try? rest(httpPort, "/instances")) ?? "[]"
            return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
        }
        #expect(Peers.waitUntil(60) { instances().count == files.count }, "\(proxy.output)")
        let sources = Dictionary(files.compactMap { file in Peers.sopInstanceUID(file).map { ($0, file) } }) { a, _ in a }
        for id in instances() {
            let copy = folder.appendingPathComponent("\(id).dcm").path
            _ = try rest(httpPort, "/instances/\(id)/file", to: copy)
            let header = try HeaderReader().read(copy)
            let uid = try #require(header.dataset.string(.sopInstanceUID))
            let source = try #require(sources[uid])
            #expect(try DicomObject(path: copy).pixelDataBytes == DicomObject(path: source).pixelDataBytes)
            #expect(header.dataset.string(.bodyPartExamined) != nil)
            #expect(!header.dataset.items(.anatomicRegionSequence).isEmpty)
            #expect(header.dataset.elements.contains { $0.tag.group == 0x0077 && $0.text == "BODYPART PREDICTION 1" })
        }
    }
}
