import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// Matched priors end to end: Debian's Orthanc as the archive (C-FIND/C-MOVE SCP, pre-loaded with
/// earlier studies of the patient), a storescp as the brain application, the proxy between.
@Suite(.serialized) struct ProxyPriorsTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    @Test(.enabled(if: Orthanc.executable != nil, "Orthanc is not installed (make test-deps)"))
    func onlyMatchingPriorsArriveOnceAndAnArchiveDownNeverHoldsForwarding() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-priors")
        defer { TestEnvironment.remove(folder) }
        let (appPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let app = folder.appendingPathComponent("app")
        let scp = try Peers.storescp(into: app, port: appPort, log: folder.appendingPathComponent("app.log"))
        defer { scp.stop() }
        let orthanc = try Orthanc(in: folder, aeTitle: "ARCHIVE", modalities: ["app": .init(aeTitle: "APP", port: appPort)])
        defer { orthanc.stop() }
        let dicomPort = orthanc.dicomPort
        let patient = "BP-PRIORS-1"
        let priors = try RoutingFixtures.priors(of: patient, in: folder)
        #expect(try orthanc.upload(Array(priors.values)) == priors.count)

        let config = try Peers.config(in: folder, """
            destinations: [APP@127.0.0.1:\(appPort)]
            archives: [ARCHIVE@127.0.0.1:\(dicomPort)]
            routes:
              - name: brain
                bodyPart: HEAD
                destinations: [APP]
                priors: { archive: ARCHIVE, max_studies: 3, max_age: 5y, modalities: [CT, MR] }
              - name: default
                destinations: [APP]
            """)
        let audit = folder.appendingPathComponent("audit.sqlite").path
        let spool = folder.appendingPathComponent("spool").path
        let proxy = try Peers.proxy(["--spool", spool, "--audit", audit, "--config", config], port: proxyPort,
                                    log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }

        // A new brain MR: it goes to the app, and so do the head CT and the recent brain MR priors.
        let first = try RoutingFixtures.brainStudy(of: patient, date: "19920402", in: folder, name: "new-1")
        #expect(Peers.successes(try Peers.storescu(first, port: proxyPort)) == first.count)
        let expected = Set([RoutingFixtures.study(first[0]), RoutingFixtures.study(priors["head-ct"]!),
                            RoutingFixtures.study(priors["brain-mr"]!)])
        #expect(Peers.waitUntil(90) { Set(RoutingFixtures.studyCounts(app).keys) == expected }, "\(proxy.output)")
        // Not the chest and abdomen priors (other regions), nor the brain MR older than max_age.
        let store = try AuditStore(path: audit, readOnly: true)
        func rows(_ study: String) -> [RoutingRecord] { (try? store.routings(study: study)) ?? [] }
        #expect(Peers.waitUntil(30) { rows(RoutingFixtures.study(first[0])).contains { $0.kind == "prior-skip" && $0.detail.contains("max_age") } })
        #expect(Set(RoutingFixtures.studyCounts(app).keys) == expected, "\(rows(RoutingFixtures.study(first[0])).map(\.detail))")
        let firstRows = rows(RoutingFixtures.study(first[0]))
        #expect(firstRows.filter { $0.kind == "prior-move" && $0.status == "success" }.count == 2, "\(firstRows.map(\.detail))")
        #expect(firstRows.contains { $0.kind == "prior-query" })
        for other in ["chest-ct", "abdomen-ct"] {
            let uid = RoutingFixtures.study(priors[other]!)
            #expect(firstRows.contains { $0.kind == "prior-skip" && $0.priorStudyInstanceUID == uid && $0.detail.contains("does not match") },
                    "\(other): \(firstRows.map(\.detail))")
        }

        // A second study of the patient: the priors are not sent again.
        let arrivedBefore = TestEnvironment.files(under: app).count
        let second = try RoutingFixtures.brainStudy(of: patient, date: "19920510", in: folder, name: "new-2")
        #expect(Peers.successes(try Peers.storescu(second, port: proxyPort)) == second.count)
        let secondStudy = RoutingFixtures.study(second[0])
        #expect(Peers.waitUntil(60) { rows(secondStudy).filter { $0.detail.hasPrefix("already sent") }.count == 2 }, "\(rows(secondStudy).map(\.detail))")
        #expect(TestEnvironment.files(under: app).count == arrivedBefore + second.count)

        // The archive down: the new study is forwarded at once, the prior fetch fails, is retried and shows in status.
        orthanc.stop()
        let third = try RoutingFixtures.brainStudy(of: patient, date: "19920611", in: folder, name: "new-3")
        #expect(Peers.successes(try Peers.storescu(third, port: proxyPort)) == third.count)
        #expect(Peers.waitUntil(30) { RoutingFixtures.studyCounts(app)[RoutingFixtures.study(third[0])] == third.count }, "\(proxy.output)")
        #expect(Peers.waitUntil(30) { rows(RoutingFixtures.study(third[0])).filter { $0.kind == "prior-failed" }.count >= 2 },
                "retried: \(rows(RoutingFixtures.study(third[0])).map(\.detail))")
        let status = try TestEnvironment.bodypart(["proxy", "status", "--config", config, "--spool", spool, "--audit", audit])
        #expect(status.stdout.contains("retrying 1"), "\(status.stdout)")
        #expect(status.stdout.contains("route brain\tAPP@127.0.0.1:\(appPort)\tseries 3"), "\(status.stdout)")
    }
}
