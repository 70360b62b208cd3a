import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// The proxy and `clean` audit a series the same way: one builder
/// (`AuditRows`) makes the decision, change and progress rows of both.
@Suite(.serialized) struct ProxyAuditRowsTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// A decision row without what differs by nature between two runs: ids,
    /// run, hashes, time, and the number of files seen (the proxy decides
    /// from the first instance).
    static func comparable(_ d: DecisionRecord) -> DecisionRecord {
        DecisionRecord(id: nil, runID: 0, studyInstanceUID: d.studyInstanceUID, seriesInstanceUID: d.seriesInstanceUID,
                              modality: d.modality, predictedBodyPart: d.predictedBodyPart, confidence: d.confidence,
                              decision: d.kind, reason: d.reason, evidenceJSON: d.evidenceJSON,
                              currentBodyPartExamined: d.currentBodyPartExamined, newBodyPartExamined: d.newBodyPartExamined,
                              files: 0, createdAt: Date(timeIntervalSince1970: 0))
    }

    /// A change row's fields that do not depend on the run: the attribute,
    /// why, the old value, and the new value unless it holds the run's time
    /// stamp (Original Attributes Sequence, the private block).
    static func comparable(_ c: ChangeRecord) -> String {
        let stamped = c.tag == "(0400,0561)" || c.tag.hasPrefix("(0077,")
        return [c.tag, c.keyword, c.reason, c.oldValue ?? "<absent>", stamped ? "" : c.newValue ?? "<removed>",
                c.seriesInstanceUID, c.sopInstanceUID].joined(separator: "|")
    }

    @Test func proxyRowAndCleanRowOfTheSameSeriesHoldTheSameFields() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-rows")
        defer { TestEnvironment.remove(folder) }
        // One single-instance, uncompressed series whose BodyPartExamined is
        // not standard (B?cken): a decision and changes.
        let file = TestEnvironment.samples.appendingPathComponent("dev-0159-cr.dcm").path
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let proxy = try Peers.proxy(try Peers.arguments(folder, destinationPort: scpPort, extra: ["--allow", "MODALITY"]),
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        let sent = try Peers.storescu([file], port: proxyPort)
        #expect(Peers.successes(sent) == 1, "\(sent.stderr)")
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == 1 }, "\(proxy.output)")
        proxy.stop()

        let clean = try TestEnvironment.bodypart(["clean", file, "--out", folder.appendingPathComponent("out").path,
                                                  "--audit", folder.appendingPathComponent("clean.sqlite").path])
        #expect(clean.status == 0, "\(clean.stderr)")

        let proxyAudit = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path, readOnly: true)
        let cleanAudit = try AuditStore(path: folder.appendingPathComponent("clean.sqlite").path, readOnly: true)
        let proxyDecisions = try proxyAudit.decisions(filter: DecisionFilter())
        let cleanDecisions = try cleanAudit.decisions(filter: DecisionFilter())
        #expect(proxyDecisions.count == 1 && cleanDecisions.count == 1)
        let (p, c) = (try #require(proxyDecisions.first), try #require(cleanDecisions.first))
        #expect(p.newBodyPartExamined != nil, "\(p)")
        #expect(Self.comparable(p) == Self.comparable(c), "decision rows differ:\nproxy \(p)\nclean \(c)")
        let proxyChanges = try proxyAudit.changes(runID: nil, series: nil).map(Self.comparable).sorted()
        let cleanChanges = try cleanAudit.changes(runID: nil, series: nil).map(Self.comparable).sorted()
        #expect(!proxyChanges.isEmpty)
        #expect(proxyChanges == cleanChanges)
    }
}
