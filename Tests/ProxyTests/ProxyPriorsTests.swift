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
        let (appPort, proxyPort, consolePort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let app = folder.appendingPathComponent("app")
        let scp = try Peers.storescp(into: app, port: appPort, log: folder.appendingPathComponent("app.log"))
        defer { scp.stop() }
        let orthanc = try Orthanc(in: folder, aeTitle: "ARCHIVE", modalities: ["app": .init(aeTitle: "APP", port: appPort)])
        defer { orthanc.stop() }
        let dicomPort = orthanc.dicomPort
        let patient = "BP-PRIORS-1"
        let priors = try RoutingFixtures.priors(of: patient, in: folder)
        #expect(try orthanc.upload(Array(priors.values)) == priors.count)

        let config = try Self.config(in: folder, appPort: appPort, archivePort: dicomPort, consolePort: consolePort,
                                     priors: "{ archive: ARCHIVE, max_studies: 3, max_age: 5y, modalities: [CT, MR], max_attempts: 1000 }")
        let (proxy, audit, spool) = try Self.proxy(in: folder, config: config, port: proxyPort)
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

        // The series' page in the console: the route it took, and each prior with its date, region and state.
        let profile = folder.appendingPathComponent("chromium")
        let page = try Chromium.load(Self.consoleURL(consolePort) + "/series/\(RoutingFixtures.series(first))", profile: profile)
        #expect(page.consoleMessages.isEmpty, "\(page.consoleMessages)")
        #expect(Chromium.count("routes-taken", in: page.dom) == 1, "\(page.dom)")
        #expect(page.dom.contains("data-rule=\"brain\" data-destination=\"APP@127.0.0.1:\(appPort)\""), "\(page.dom)")
        #expect(Chromium.count("series-priors-found", in: page.dom) == priors.count)
        #expect(Chromium.count("series-priors-matched", in: page.dom) == 2)
        #expect(Chromium.count("series-priors-moved", in: page.dom) == 2)
        #expect(Chromium.count("series-priors-pending", in: page.dom) == 0)
        let shown = Self.priorRows(page.dom)
        for (name, state) in [("head-ct", "moved"), ("brain-mr", "moved"), ("brain-mr-old", "not taken"), ("chest-ct", "not taken"),
                              ("abdomen-ct", "not taken")] {
            let file = priors[name]!
            let row = try #require(shown[RoutingFixtures.study(file)], "\(name): \(page.dom)")
            #expect(row.state == state, "\(name)")
            #expect(row.date == (try HeaderReader().read(file).dataset.string(Tag(0x0008, 0x0020))), "\(name)")
        }
        for name in ["head-ct", "brain-mr"] { #expect(shown[RoutingFixtures.study(priors[name]!)]?.region == "HEAD", "\(name)") }
        #expect(shown[RoutingFixtures.study(priors["brain-mr-old"]!)]?.region == "-", "skipped by max_age before the classifier")
        #expect(shown[RoutingFixtures.study(priors["chest-ct"]!)]?.region == "CHEST")
        for name in ["chest-ct", "abdomen-ct"] {
            let region = shown[RoutingFixtures.study(priors[name]!)]?.region ?? "-"
            #expect(region != "HEAD", "\(name): a region that does not match (or none: the classifier abstained), \(region)")
        }

        // A second study of the patient: the priors are not sent again.
        let arrivedBefore = TestEnvironment.files(under: app).count
        let second = try RoutingFixtures.brainStudy(of: patient, date: "19920510", in: folder, name: "new-2")
        #expect(Peers.successes(try Peers.storescu(second, port: proxyPort)) == second.count)
        let secondStudy = RoutingFixtures.study(second[0])
        #expect(Peers.waitUntil(60) { rows(secondStudy).filter { PriorNote(detail: $0.detail)?.text.hasPrefix("already sent") == true }.count == 2 }, "\(rows(secondStudy).map(\.detail))")
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
        // Its page says the fetch waits for a retry, and why.
        let waiting = try Chromium.load(Self.consoleURL(consolePort) + "/series/\(RoutingFixtures.series(third))", profile: profile)
        #expect(Chromium.count("prior-fetches", in: waiting.dom) == 1, "\(waiting.dom)")
        #expect(waiting.dom.contains("<li data-state=\"pending retry\""), "\(waiting.dom)")
        #expect(waiting.dom.contains("C-FIND"), "the last error is shown")
        #expect(status.stdout.contains("route brain\tAPP@127.0.0.1:\(appPort)\tseries 3"), "\(status.stdout)")
    }

    /// With the archive down (a port nobody listens on), a fetch is tried `max_attempts` times, then
    /// given up: audited as failed (`abandoned`), gone from the spool, shown by `proxy status` and the
    /// console, and not tried again. The series itself is forwarded at once.
    @Test func aPriorFetchIsGivenUpAfterMaxAttempts() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-priors-cap")
        defer { TestEnvironment.remove(folder) }
        let (appPort, proxyPort, consolePort, nobody) = (Peers.freePort(), Peers.freePort(), Peers.freePort(), Peers.freePort())
        let app = folder.appendingPathComponent("app")
        let scp = try Peers.storescp(into: app, port: appPort, log: folder.appendingPathComponent("app.log"))
        defer { scp.stop() }
        let config = try Self.config(in: folder, appPort: appPort, archivePort: nobody, consolePort: consolePort,
                                     priors: "{ archive: ARCHIVE, max_attempts: 2 }")
        let (proxy, audit, spool) = try Self.proxy(in: folder, config: config, port: proxyPort)
        defer { proxy.stop() }
        let study = try RoutingFixtures.brainStudy(of: "BP-PRIORS-CAP", date: "19920402", in: folder, name: "new")
        #expect(Peers.successes(try Peers.storescu(study, port: proxyPort)) == study.count)
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: app).count == study.count }, "\(proxy.output)")
        let store = try AuditStore(path: audit, readOnly: true)
        func failed() -> [RoutingRecord] {
            ((try? store.routings(study: RoutingFixtures.study(study[0]))) ?? []).filter { $0.kind == "prior-failed" }
        }
        #expect(Peers.waitUntil(30) { failed().contains { $0.status == "abandoned" } }, "\(failed().map(\.detail)) \(proxy.output)")
        // Retries come every 0.2–1 s (retry: of the test configuration): a third attempt would be here by now.
        Thread.sleep(forTimeInterval: 3)
        #expect(failed().filter { $0.status == "failed" }.count == 2, "\(failed().map(\.detail))")
        #expect(failed().filter { $0.status == "abandoned" }.count == 1)
        #expect(failed().last?.detail.contains("gave up after 2 failed attempts") == true, "\(failed().map(\.detail))")
        #expect(TestEnvironment.files(under: URL(fileURLWithPath: spool + "/priors")).isEmpty, "no job left to retry")

        let status = try TestEnvironment.bodypart(["proxy", "status", "--config", config, "--spool", spool, "--audit", audit])
        #expect(status.stdout.contains("waiting 0\tretrying 0\tgave up 1"), "\(status.stdout)")
        let profile = folder.appendingPathComponent("chromium")
        let overview = try Chromium.load(Self.consoleURL(consolePort) + "/", profile: profile)
        #expect(Chromium.count("priors-abandoned", in: overview.dom) == 1, "\(overview.dom)")
        #expect(Chromium.count("priors-retrying", in: overview.dom) == 0)
        let page = try Chromium.load(Self.consoleURL(consolePort) + "/series/\(RoutingFixtures.series(study))", profile: profile)
        #expect(page.consoleMessages.isEmpty, "\(page.consoleMessages)")
        #expect(page.dom.contains("<li data-state=\"failed\">"), "\(page.dom)")
        #expect(page.dom.contains("gave up after 2 failed attempts"))
        #expect(!page.dom.contains("pending retry"))
    }

    /// The tests' configuration: the app the only destination, a `brain` route (HEAD) with `priors`
    /// (a YAML mapping) from the archive on `archivePort`, the console on `consolePort`.
    static func config(in folder: URL, appPort: UInt16, archivePort: UInt16, consolePort: UInt16, priors: String) throws -> String {
        try Peers.config(in: folder, """
            destinations: [APP@127.0.0.1:\(appPort)]
            archives: [ARCHIVE@127.0.0.1:\(archivePort)]
            routes:
              - name: brain
                bodyPart: HEAD
                destinations: [APP]
                priors: \(priors)
              - name: default
                destinations: [APP]
            \(ProxyConsoleTests.consoleYAML(port: consolePort))
            """)
    }

    /// The proxy on `port` with `config`, its audit and spool in `folder`.
    static func proxy(in folder: URL, config: String, port: UInt16) throws -> (proxy: Peers.Background, audit: String, spool: String) {
        let (audit, spool) = (folder.appendingPathComponent("audit.sqlite").path, folder.appendingPathComponent("spool").path)
        let proxy = try Peers.proxy(["--spool", spool, "--audit", audit, "--config", config], port: port,
                                    log: folder.appendingPathComponent("proxy.log"))
        return (proxy, audit, spool)
    }

    /// The console's base URL with the test user in it.
    static func consoleURL(_ port: UInt16) -> String {
        "http://admin:\(ProxyConsoleTests.password.replacingOccurrences(of: " ", with: "%20"))@127.0.0.1:\(port)"
    }

    /// The rows of a series page's priors table: prior Study Instance UID → state, date, region.
    static func priorRows(_ dom: String) -> [String: (state: String, date: String, region: String)] {
        var rows: [String: (state: String, date: String, region: String)] = [:]
        for chunk in dom.components(separatedBy: "<tr class=\"prior\" ").dropFirst() {
            let tag = chunk.prefix { $0 != ">" }
            func attribute(_ name: String) -> String {
                guard let range = tag.range(of: "\(name)=\"") else { return "" }
                return String(tag[range.upperBound...].prefix { $0 != "\"" })
            }
            rows[attribute("data-prior")] = (attribute("data-state"), attribute("data-date"), attribute("data-region"))
        }
        return rows
    }
}
