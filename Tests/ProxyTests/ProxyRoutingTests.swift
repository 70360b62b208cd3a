import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// Routing by anatomy end to end: storescu → proxy → three storescp
/// receivers on 127.0.0.1 (a brain MR application, a chest CT application,
/// the PACS), the route of each series decided once on its prediction.
@Suite(.serialized) struct ProxyRoutingTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// Three receivers and a configuration routing brain MR to BRAIN_APP + PACS, chest CT to
    /// CHEST_APP + PACS, the rest to the PACS (`brainTo` names the brain rule's application).
    struct Site {
        let folder: URL
        let ports: (brain: UInt16, chest: UInt16, pacs: UInt16)
        var receivers: [Peers.Background] = []
        var brain: URL { folder.appendingPathComponent("brain-app") }
        var chest: URL { folder.appendingPathComponent("chest-app") }
        var pacs: URL { folder.appendingPathComponent("pacs") }

        init(_ folder: URL) throws {
            self.folder = folder
            ports = (Peers.freePort(), Peers.freePort(), Peers.freePort())
            receivers = [
                try Peers.storescp(into: brain, port: ports.brain, log: folder.appendingPathComponent("brain.log")),
                try Peers.storescp(into: chest, port: ports.chest, log: folder.appendingPathComponent("chest.log")),
                try Peers.storescp(into: pacs, port: ports.pacs, log: folder.appendingPathComponent("pacs.log")),
            ]
        }

        func config(brainTo: String = "BRAIN_APP", extra: String = "") throws -> String {
            try Peers.config(in: folder, extra + "\n" + """
                destinations:
                  - BRAIN_APP@127.0.0.1:\(ports.brain)
                  - CHEST_APP@127.0.0.1:\(ports.chest)
                  - PACS@127.0.0.1:\(ports.pacs)
                routes:
                  - name: brain-mr
                    bodyPart: BRAIN
                    attributes: { Modality: MR }
                    destinations: [\(brainTo), PACS]
                    stop: true
                  - name: chest-ct
                    bodyPart: [CHEST]
                    min_confidence: 0.9
                    attributes: { Modality: { one_of: [CT] }, PatientID: { present: true } }
                    destinations: [CHEST_APP, PACS]
                  - name: default
                    destinations: [PACS]
                """)
        }

        func proxy(port: UInt16, brainTo: String = "BRAIN_APP", extra: String = "") throws -> Peers.Background {
            try Peers.proxy(["--spool", folder.appendingPathComponent("spool").path, "--audit", folder.appendingPathComponent("audit.sqlite").path,
                             "--config", try config(brainTo: brainTo, extra: extra)],
                            port: port, log: folder.appendingPathComponent("proxy.log"))
        }

        func stop() { receivers.forEach { $0.stop() } }
    }

    @Test func eachSeriesGoesWhereItsPredictedAnatomySendsItAndNowhereElse() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-route")
        defer { TestEnvironment.remove(folder) }
        let site = try Site(folder)
        defer { site.stop() }
        let (brain, chest, wrong, unanswered) = (try RoutingFixtures.brainMR(in: folder), try RoutingFixtures.chestCT(in: folder),
                                                 try RoutingFixtures.chestCTSayingHead(in: folder), try RoutingFixtures.unanswered(in: folder))
        let proxyPort = Peers.freePort()
        let proxy = try site.proxy(port: proxyPort)
        defer { proxy.stop() }
        // Interleaved on one association: the route is the series', whatever arrives between its instances.
        var files: [String] = []
        for i in 0..<4 { files += [brain, chest, unanswered].compactMap { $0.indices.contains(i) ? $0[i] : nil } }
        let sent = try Peers.storescu(files, port: proxyPort)
        #expect(Peers.successes(sent) == files.count, "\(sent.stderr)")
        // JPEG Lossless: storescu proposes that syntax only when told (-xs), on an association of its own.
        let jpeg = try Peers.storescu(wrong, port: proxyPort, options: ["-xs"])
        #expect(Peers.successes(jpeg) == wrong.count, "\(jpeg.stderr)")
        files += wrong
        let expected = (brain: brain.count, chest: chest.count + wrong.count, pacs: files.count)
        #expect(Peers.waitUntil(90) {
            TestEnvironment.files(under: site.pacs).count == expected.pacs && TestEnvironment.files(under: site.brain).count == expected.brain
                && TestEnvironment.files(under: site.chest).count == expected.chest
        }, "\(proxy.output)")
        proxy.stop()
        // Nothing waits in any queue: what a route leaves out is taken off that destination's queue, not held.
        #expect(TestEnvironment.files(under: folder.appendingPathComponent("spool/queue")).isEmpty)
        let (b, c, w, u) = (RoutingFixtures.series(brain), RoutingFixtures.series(chest), RoutingFixtures.series(wrong), RoutingFixtures.series(unanswered))
        #expect(RoutingFixtures.seriesCounts(site.brain) == [b: brain.count])
        #expect(RoutingFixtures.seriesCounts(site.chest) == RoutingFixtures.seriesCounts(chest + wrong))
        #expect(RoutingFixtures.seriesCounts(site.pacs) == RoutingFixtures.seriesCounts(files))
        #expect(RoutingFixtures.seriesCounts(chest).count == 3 && c != w)
        // Where each series went, and why, is in the audit: one route row per destination.
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let routes = try store.routings(series: w).filter { $0.kind == "route" }
        #expect(Set(routes.map { $0.destination ?? "" }) == ["CHEST_APP@127.0.0.1:\(site.ports.chest)", "PACS@127.0.0.1:\(site.ports.pacs)"])
        #expect(routes.allSatisfy { $0.rule == "chest-ct" && $0.detail.contains("body part CHEST within CHEST") }, "\(routes)")
        let fallback = try store.routings(series: u).filter { $0.kind == "route" }
        #expect(fallback.map(\.rule) == ["default"] && fallback.first?.destination == "PACS@127.0.0.1:\(site.ports.pacs)")
        #expect(try store.routedSeries().contains { $0.rule == "brain-mr" && $0.destination.hasPrefix("BRAIN_APP") && $0.series == 1 })
    }

    /// Instances that arrive after a restart take the route persisted with the series' decision,
    /// even when the routes changed meanwhile: a series is never split across routes.
    @Test func laterInstancesFollowThePersistedRouteAcrossARestart() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-route-restart")
        defer { TestEnvironment.remove(folder) }
        let site = try Site(folder)
        defer { site.stop() }
        let brain = try RoutingFixtures.brainMR(in: folder)
        let proxyPort = Peers.freePort()
        var proxy = try site.proxy(port: proxyPort)
        let first = try Peers.storescu(Array(brain.prefix(2)), port: proxyPort)
        #expect(Peers.successes(first) == 2, "\(first.stderr)")
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: site.brain).count == 2 }, "\(proxy.output)")
        proxy.stop()
        // Now the brain rule names the chest application: a series decided anew would go there.
        proxy = try site.proxy(port: proxyPort, brainTo: "CHEST_APP")
        defer { proxy.stop() }
        let rest = try Peers.storescu(Array(brain.dropFirst(2)), port: proxyPort)
        #expect(Peers.successes(rest) == brain.count - 2, "\(rest.stderr)")
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: site.pacs).count == brain.count }, "\(proxy.output)")
        proxy.stop()
        #expect(TestEnvironment.files(under: site.brain).count == brain.count, "\(proxy.output)")
        #expect(TestEnvironment.files(under: site.chest).isEmpty)
    }

    /// The console's overview counts series routed and objects forwarded per route and destination,
    /// as `/metrics` does (read in headless Chromium).
    @Test func theConsoleShowsSeriesAndObjectsPerRoute() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-route-console")
        defer { TestEnvironment.remove(folder) }
        let site = try Site(folder)
        defer { site.stop() }
        let (brain, unanswered) = (try RoutingFixtures.brainMR(in: folder), try RoutingFixtures.unanswered(in: folder))
        let (proxyPort, consolePort) = (Peers.freePort(), Peers.freePort())
        let proxy = try site.proxy(port: proxyPort, extra: ProxyConsoleTests.consoleYAML(port: consolePort))
        defer { proxy.stop() }
        #expect(Peers.successes(try Peers.storescu(brain + unanswered, port: proxyPort)) == brain.count + unanswered.count)
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: site.pacs).count == brain.count + unanswered.count }, "\(proxy.output)")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: site.brain).count == brain.count })
        let page = try Chromium.load("http://admin:\(ProxyConsoleTests.password.replacingOccurrences(of: " ", with: "%20"))@127.0.0.1:\(consolePort)/",
                                     profile: folder.appendingPathComponent("chromium"))
        #expect(page.consoleMessages.isEmpty, "\(page.consoleMessages)")
        func id(_ rule: String, _ ae: String, _ port: UInt16) -> String { "\(rule)-\(ae)_127.0.0.1_\(port)" }
        for (cell, series, objects) in [(id("brain-mr", "BRAIN_APP", site.ports.brain), 1, brain.count),
                                        (id("brain-mr", "PACS", site.ports.pacs), 1, brain.count),
                                        (id("default", "PACS", site.ports.pacs), 1, unanswered.count),
                                        (id("chest-ct", "CHEST_APP", site.ports.chest), 0, 0)] {
            #expect(Chromium.count("routed-" + cell, in: page.dom) == series, "\(cell): \(page.dom)")
            #expect(Chromium.count("routed-objects-" + cell, in: page.dom) == objects, "\(cell)")
        }
    }

    @Test func aBadRouteIsAConfigurationErrorWithItsKeyAndLine() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-route-bad")
        defer { TestEnvironment.remove(folder) }
        let path = folder.appendingPathComponent("bad.yaml").path
        for (yaml, expected) in [
            ("destinations: [PACS@127.0.0.1:104]\nroutes:\n  - name: brain\n    bodyPart: HEAD\n    destinations: [BRAIN_APP]\n",
             "bad.yaml:3: routes.brain.destinations: 'BRAIN_APP' is not a declared destination"),
            ("destinations: [PACS@127.0.0.1:104]\nroutes:\n  - name: brain\n    bodyparts: HEAD\n    destinations: [PACS]\n",
             "bad.yaml:4: routes.brain.bodyparts: unknown key"),
            ("destinations: [PACS@127.0.0.1:104]\nroutes:\n  - name: brain\n    attributes: { Modality: { like: MR } }\n    destinations: [PACS]\n",
             "bad.yaml:4: routes.brain.attributes.Modality: unknown test 'like'"),
            ("destinations: [PACS@127.0.0.1:104]\nroutes:\n  - name: default\n    destinations: [PACS]\n  - name: late\n    destinations: [PACS]\n",
             "bad.yaml:5: routes.late: the default route must be the last"),
        ] {
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let check = try TestEnvironment.bodypart(["proxy", "--check", "--config", path, "--spool", folder.appendingPathComponent("spool").path])
            #expect(check.status == 64, "\(check.stdout) \(check.stderr)")
            #expect(check.stderr.contains(expected), "\(check.stderr)")
        }
        // A body part the taxonomy does not know, found once the rules are loaded.
        try "destinations: [PACS@127.0.0.1:104]\nroutes:\n  - name: brain\n    bodyPart: BRIAN\n    destinations: [PACS]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let unknown = try TestEnvironment.bodypart(["proxy", "route", "--config", path, TestEnvironment.packageRoot.appendingPathComponent("Samples").path])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("bad.yaml:3: routes.brain.bodyPart: 'BRIAN' is not a defined term"), "\(unknown.stderr)")
    }
}
