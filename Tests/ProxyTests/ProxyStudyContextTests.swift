import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// The proxy reads a series with the series of its study it has already decided: a localizer
/// whose own descriptions name nothing takes the region of the study's answered series, as
/// `clean` does with whole studies (Classifier's `StudyContext`).
@Suite(.serialized) struct ProxyStudyContextTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// A copy of the MR sample as one series of `study`, with only `seriesDescription` as text.
    static func series(_ folder: URL, _ name: String, study: String, seriesDescription: String) throws -> String {
        let file = folder.appendingPathComponent(name + ".dcm").path
        try FileManager.default.copyItem(atPath: TestEnvironment.samples.appendingPathComponent("dev-0164-mr.dcm").path, toPath: file)
        let edits = ["(0008,1030)=", "(0008,103E)=\(seriesDescription)", "(0018,0015)=", "(0018,1030)=", "(0040,0254)=",
                     "(0032,1060)=", "(0020,000D)=\(study)", "(0020,000E)=\(RoutingFixtures.uid())", "(0008,0018)=\(RoutingFixtures.uid())"]
        let result = try TestEnvironment.run(Peers.tool("dcmodify"), ["-nb"] + edits.flatMap { ["-i", $0] } + [file])
        #expect(result.status == 0, "\(result.stderr)")
        return file
    }

    static func bodyPart(of sop: String, in folder: URL) throws -> String? {
        for file in TestEnvironment.files(under: folder) where Peers.sopInstanceUID(file) == sop {
            return try HeaderReader().read(file).dataset.string(.bodyPartExamined)
        }
        return nil
    }

    @Test func aLocalizerTakesTheRegionOfItsStudysSeriesDecidedBefore() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-study")
        defer { TestEnvironment.remove(folder) }
        let input = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let study = RoutingFixtures.uid()
        let brain = try Self.series(input, "brain", study: study, seriesDescription: "AX T2 FLAIR BRAIN")
        let localizer = try Self.series(input, "localizer", study: study, seriesDescription: "3-PLANE LOC")
        // The same localizer alone in a study of its own: nothing to read it with.
        let alone = try Self.series(input, "alone", study: RoutingFixtures.uid(), seriesDescription: "3-PLANE LOC")

        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let proxy = try Peers.proxy(try Peers.arguments(folder, destinationPort: scpPort, extra: ["--allow", "MODALITY"]),
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        // In this order: the brain series is decided before the localizer arrives.
        for file in [brain, localizer, alone] {
            let sent = try Peers.storescu([file], port: proxyPort)
            #expect(Peers.successes(sent) == 1, "\(sent.stderr)")
            #expect(Peers.waitUntil(60) { Peers.bySOPInstance(received)[Peers.sopInstanceUID(file) ?? ""] != nil }, "\(proxy.output)")
        }
        #expect(try Self.bodyPart(of: Peers.sopInstanceUID(brain) ?? "", in: received) == "BRAIN")
        #expect(try Self.bodyPart(of: Peers.sopInstanceUID(localizer) ?? "", in: received) == "BRAIN", "\(proxy.output)")
        #expect((try Self.bodyPart(of: Peers.sopInstanceUID(alone) ?? "", in: received) ?? "").isEmpty)
    }
}
