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

    @Test(.enabled(if: Orthanc.executable != nil, "Orthanc is not installed (make test-deps)"))
    func forwardsToOrthancEveryObjectEnrichedWithPixelsUntouched() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-orthanc")
        defer { TestEnvironment.remove(folder) }
        let proxyPort = Peers.freePort()
        let orthanc = try Orthanc(in: folder)
        defer { orthanc.stop() }
        let dicomPort = orthanc.dicomPort
        #expect(Peers.isListening(orthanc.dicomPort) && Peers.isListening(orthanc.httpPort), "\(orthanc.output)")
        let proxy = try Peers.proxy(["--destination", "ORTHANC@127.0.0.1:\(dicomPort)", "--spool", folder.appendingPathComponent("spool").path,
                                     "--audit", folder.appendingPathComponent("audit.sqlite").path, "--config", try Peers.config(in: folder)],
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        // A series the metadata model decides (confirmed: Anatomic Region Sequence added).
        let files = Peers.dev(Peers.wholeBodyCT)
        let sent = try Peers.storescu(files, port: proxyPort)
        #expect(Peers.successes(sent) == files.count, "\(sent.stderr)")
        #expect(Peers.waitUntil(60) { orthanc.instances().count == files.count }, "\(proxy.output)")
        let sources = Dictionary(files.compactMap { file in Peers.sopInstanceUID(file).map { ($0, file) } }) { a, _ in a }
        for id in orthanc.instances() {
            let copy = folder.appendingPathComponent("\(id).dcm").path
            _ = try orthanc.get("/instances/\(id)/file", to: copy)
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
