import Audit
import BodypartTesting
import DicomIO
import Foundation
import Testing

/// The proxy's web console against a real run: storescu → proxy → storescp,
/// pages read by headless Chromium, actions posted by curl with the token
/// the page gave.
@Suite(.serialized) struct ProxyConsoleTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static let password = "correct horse"
    static let token = "a-token-for-scripts"

    /// `console:` with a basic-auth user and a bearer token on `port`.
    static func consoleYAML(port: UInt16) -> String {
        """
        console:
          listen: 127.0.0.1
          port: \(port)
          token_sha256: \(SHA256.hex(token))
          users:
            - { name: admin, password_sha256: \(SHA256.hex(password)) }
        """
    }

    @Test func pagesShowTheRunAndAQuarantinedObjectIsRetriedAndAnotherDiscarded() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-console")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort, consolePort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        // Uncompressed only: the two JPEG objects can never go and end in quarantine.
        var scp = try Peers.storescp(
            into: received, port: scpPort, acceptAll: false, log: folder.appendingPathComponent("scp.log"))
        var args = try Peers.arguments(folder, destinationPort: scpPort)
        args[args.count - 1] = try Peers.config(in: folder, Self.consoleYAML(port: consolePort))
        let proxy = try Peers.proxy(args, port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let plain = Peers.dev(Peers.lungCT).prefix(2).map { $0 }
        for (file, option) in Peers.compressed.prefix(2) {
            #expect(Peers.successes(try Peers.storescu([file], port: proxyPort, options: [option])) == 1)
        }
        #expect(Peers.successes(try Peers.storescu(plain, port: proxyPort)) == 2)
        let base = "http://127.0.0.1:\(consolePort)"
        let admin = "admin:\(Self.password)"
        #expect(
            Peers.waitUntil(30) {
                (try? HTTP.request(base + "/queues", user: admin).body).flatMap {
                    Chromium.count("quarantined-\(Self.folderID(scpPort))", in: $0)
                } == 2
            }, "\(proxy.output)")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 2 })

        // Without a credential: 401 on every page and action; /metrics and /healthz stay open.
        for path in ["/", "/queues", "/series", "/reviews"] {
            #expect(try HTTP.request(base + path).status == 401, "\(path)")
            #expect(try HTTP.request(base + path, user: "admin:wrong").status == 401, "\(path)")
        }
        #expect(try HTTP.request(base + "/", headers: ["Authorization: Bearer not-the-token"]).status == 401)
        #expect(try HTTP.request(base + "/queues/retry", method: "POST", form: [("destination", "x")]).status == 401)
        #expect(try HTTP.request(base + "/metrics").body.contains("bodypart_proxy_received_total 4"))
        #expect(try HTTP.request(base + "/healthz").body.hasPrefix("ok"))
        let byToken = try HTTP.request(base + "/", headers: ["Authorization: Bearer \(Self.token)"])
        #expect(byToken.status == 200)
        #expect(byToken.headers.contains("default-src 'none'"), "pages may load nothing: \(byToken.headers)")
        #expect(byToken.headers.contains("frame-ancestors 'none'"), "no framing of the action buttons")

        // The overview as a browser sees it.
        let profile = folder.appendingPathComponent("chromium")
        let userURL =
            "http://admin:\(Self.password.replacingOccurrences(of: " ", with: "%20"))@127.0.0.1:\(consolePort)"
        let overview = try Chromium.load(userURL + "/", profile: profile)
        let id = Self.folderID(scpPort)
        #expect(Chromium.count("received", in: overview.dom) == 4, "\(overview.dom)")
        #expect(Chromium.count("forwarded-\(id)", in: overview.dom) == 2)
        #expect(Chromium.count("quarantined", in: overview.dom) == 2)
        #expect(Chromium.count("associations-open", in: overview.dom) == 0)
        #expect(overview.dom.contains("quarantined"), "the last errors name the quarantine")
        #expect(overview.consoleMessages.isEmpty, "\(overview.consoleMessages)")
        #expect(overview.dom.contains("<meta http-equiv=\"refresh\" content=\"10; url=/\">"), "a live page without script")
        for marker in ["<script", "<link", " src=", "http://", "https://"] {
            #expect(!overview.dom.contains(marker), "no script, no external resource: \(marker)")
        }

        // The queue page: two quarantined objects, each with its forms and the caller's CSRF token.
        let queues = try Chromium.load(userURL + "/queues", profile: profile)
        #expect(queues.consoleMessages.isEmpty, "\(queues.consoleMessages)")
        #expect(Chromium.count("quarantined-\(id)", in: queues.dom) == 2)
        let csrf = try #require(Chromium.inputValue("csrf", in: queues.dom))
        let names = queues.dom.components(separatedBy: "<tr data-name=\"").dropFirst().compactMap {
            $0.split(separator: "\"").first.map(String.init)
        }
        #expect(names.count == 2)
        let destination = try #require(Chromium.inputValue("destination", in: queues.dom))

        // A POST without the token, with another's, or with a wrong one is refused and changes nothing.
        let retryURL = base + "/queues/retry"
        #expect(
            try HTTP.request(
                retryURL, method: "POST", form: [("destination", destination), ("name", names[0])], user: admin
            ).status == 403)
        #expect(
            try HTTP.request(
                retryURL, method: "POST",
                form: [
                    ("csrf", String(repeating: "0", count: 64)),
                    ("destination", destination), ("name", names[0]),
                ], user: admin
            ).status == 403)
        #expect(
            try HTTP.request(
                retryURL, method: "POST", form: [("csrf", csrf), ("destination", destination), ("name", names[0])],
                headers: ["Authorization: Bearer \(Self.token)"]
            ).status == 403, "the token is admin's, not the script's")
        #expect(Chromium.count("quarantined-\(id)", in: try HTTP.request(base + "/queues", user: admin).body) == 2)

        // Retry from the page's form to a receiver that now takes JPEG: it arrives.
        scp.stop()
        scp = try Peers.storescp(
            into: received, port: scpPort, acceptAll: true, log: folder.appendingPathComponent("scp2.log"))
        defer { scp.stop() }
        let retried = try HTTP.request(
            retryURL, method: "POST", form: [("csrf", csrf), ("destination", destination), ("name", names[0])],
            user: admin)
        #expect(retried.status == 303)
        #expect(
            retried.location?.hasPrefix("/queues?notice=re-queued%201") == true,
            "\(String(describing: retried.location))")
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == 3 }, "\(proxy.output)")

        // Discard asks first, then deletes the other one for good.
        let discardURL = base + "/queues/discard"
        let ask = try HTTP.request(
            discardURL, method: "POST", form: [("csrf", csrf), ("destination", destination), ("name", names[1])],
            user: admin)
        #expect(ask.status == 303)
        let confirm = try Chromium.load(userURL + (ask.location ?? "/"), profile: profile)
        #expect(confirm.dom.contains("Discard for good"), "\(confirm.dom)")
        #expect(Chromium.inputValue("confirm", in: confirm.dom) == "yes")
        #expect(Chromium.count("quarantined-\(id)", in: try HTTP.request(base + "/queues", user: admin).body) == 1)
        let discarded = try HTTP.request(
            discardURL, method: "POST",
            form: [
                ("csrf", csrf), ("destination", destination),
                ("name", names[1]), ("confirm", "yes"),
            ], user: admin)
        #expect(discarded.status == 303)
        #expect(Chromium.count("quarantined-\(id)", in: try HTTP.request(base + "/queues", user: admin).body) == 0)
        Thread.sleep(forTimeInterval: 2)
        #expect(TestEnvironment.files(under: received).count == 3, "the discarded object is never sent")

        // The series pages: the decisions of the run and one series drawn as the report draws it.
        let series = try Chromium.load(userURL + "/series", profile: profile)
        #expect(series.consoleMessages.isEmpty, "\(series.consoleMessages)")
        let uid = try #require(try HeaderReader().read(plain[0]).dataset.string(.seriesInstanceUID))
        #expect(series.dom.contains(uid))
        let detail = try Chromium.load(userURL + "/series/\(uid)", profile: profile)
        #expect(detail.dom.contains("class=\"series\""), "\(detail.dom)")
        #expect(detail.dom.contains("STORESCP@127.0.0.1:\(scpPort)"), "where it was sent")
        let none = try Chromium.load(userURL + "/series?decision=SKIPPED", profile: profile)
        #expect(Chromium.count("decisions", in: none.dom) == 0, "a filter that matches nothing lists nothing")
        #expect(!none.dom.contains(uid))
        // Search by PatientID (audit schema v5; this series has no
        // AccessionNumber: CleanRunTests checks that one): the series' own
        // value finds it, another value does not.
        let patient = try #require(try HeaderReader().read(plain[0]).dataset.string(.patientID))
        func query(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value }
        let byPatient = try Chromium.load(userURL + "/series?patient=\(query(patient))", profile: profile)
        #expect(byPatient.dom.contains(uid), "patient=\(patient)")
        #expect(byPatient.dom.contains("<td>\(patient)</td>"), "the table shows it")
        #expect(Chromium.inputValue("patient", in: byPatient.dom) == patient, "the form keeps the search")
        let otherPatient = try Chromium.load(userURL + "/series?patient=\(query(patient + "X"))", profile: profile)
        #expect(!otherPatient.dom.contains(uid), "patient=\(patient)X")

        proxy.stop()
        let audit = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path, readOnly: true)
        let errors = try audit.errors(runID: nil)
        #expect(
            errors.contains {
                $0.kind == "console-retry" && $0.message.contains("user:admin") && $0.path.hasSuffix(names[0])
            })
        #expect(
            errors.contains {
                $0.kind == "discarded" && $0.message.contains("user:admin") && $0.path.hasSuffix(names[1])
            })
    }

    @Test func reviewVerdictsFromThePageAreAppendedToTheAudit() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-console-review")
        defer { TestEnvironment.remove(folder) }
        let auditPath = folder.appendingPathComponent("audit.sqlite").path
        let series = ["1.2.826.0.1.3680043.10.1.1", "1.2.826.0.1.3680043.10.1.2"]
        do {
            let store = try AuditStore(path: auditPath)
            let run = try store.startRun(
                RunRecord(
                    jobKey: "clean:test", command: "clean", mode: .out, policyHash: "p",
                    modelID: "m", host: "h"))
            try store.append(
                decisions: [], changes: [], errors: [], progress: [],
                reviews: series.map {
                    ReviewRecord(
                        seriesInstanceUID: $0, studyInstanceUID: "1.2.3", runID: run, modality: "CT",
                        currentBodyPartExamined: "HEAD",
                        metadataAnswer: "HEAD", metadataConfidence: 0.9, pixelAnswer: "CHEST", pixelConfidence: 0.8,
                        pixelModel: "builtin")
                })
        }
        let (scpPort, proxyPort, consolePort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let scp = try Peers.storescp(
            into: folder.appendingPathComponent("recv"), port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        var args = try Peers.arguments(folder, destinationPort: scpPort)
        args[args.count - 1] = try Peers.config(in: folder, Self.consoleYAML(port: consolePort))
        let proxy = try Peers.proxy(args, port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let userURL =
            "http://admin:\(Self.password.replacingOccurrences(of: " ", with: "%20"))@127.0.0.1:\(consolePort)"
        let profile = folder.appendingPathComponent("chromium")
        let page = try Chromium.load(userURL + "/reviews", profile: profile)
        #expect(page.consoleMessages.isEmpty, "\(page.consoleMessages)")
        #expect(Chromium.count("reviews-open", in: page.dom) == 2, "\(page.dom)")
        #expect(page.dom.contains("CHEST (0.80)") && page.dom.contains("HEAD (0.90)"), "both answers")
        let csrf = try #require(Chromium.inputValue("csrf", in: page.dom))
        let url = "http://127.0.0.1:\(consolePort)/reviews/verdict", admin = "admin:\(Self.password)"
        #expect(
            try HTTP.request(url, method: "POST", form: [("series", series[0]), ("action", "accept")], user: admin)
                .status == 403)
        #expect(
            try HTTP.request(
                url, method: "POST", form: [("csrf", csrf), ("series", series[0]), ("action", "accept")], user: admin
            ).status == 303)
        let refused = try HTTP.request(
            url, method: "POST",
            form: [
                ("csrf", csrf), ("series", series[1]), ("action", "relabel"),
                ("label", "NOSE-TIP"),
            ], user: admin)
        #expect(
            refused.location?.contains("not%20a%20defined%20term") == true, "\(String(describing: refused.location))")
        #expect(
            try HTTP.request(
                url, method: "POST",
                form: [
                    ("csrf", csrf), ("series", series[1]), ("action", "relabel"),
                    ("label", "abdomen"), ("note", "checked"),
                ], user: admin
            ).status == 303)
        #expect(Chromium.count("reviews-open", in: try Chromium.load(userURL + "/reviews", profile: profile).dom) == 0)
        let store = try AuditStore(path: auditPath, readOnly: true)
        let first = try #require(try store.reviews(series: series[0]).last)
        #expect((first.status, first.label, first.reviewer) == ("accepted", "CHEST", "user:admin"))
        let second = try #require(try store.reviews(series: series[1]).last)
        #expect((second.status, second.label, second.note) == ("relabelled", "ABDOMEN", "checked"))
    }

    @Test func withoutCredentialsOnlyMetricsAndHealthAreServed() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-console-off")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort, consolePort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let scp = try Peers.storescp(
            into: folder.appendingPathComponent("recv"), port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let proxy = try Peers.proxy(
            try Peers.arguments(folder, destinationPort: scpPort, extra: ["--metrics-port", "\(consolePort)"]),
            port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let base = "http://127.0.0.1:\(consolePort)"
        #expect(Peers.waitUntil(10) { (try? HTTP.request(base + "/healthz").status) == 200 }, "\(proxy.output)")
        for path in ["/", "/queues", "/series", "/reviews"] {
            let reply = try HTTP.request(base + path, user: "admin:anything")
            #expect(reply.status == 404, "\(path)")
            #expect(reply.body.contains("console.token_sha256"), "\(reply.body)")
        }
        #expect(try HTTP.request(base + "/queues/retry", method: "POST", form: [("destination", "x")]).status == 404)
        let metrics = try HTTP.request(base + "/metrics")
        #expect(metrics.status == 200 && metrics.body.contains("bodypart_proxy_received_total 0"))
        #expect(try HTTP.request(base + "/nothing-here").status == 404)
        // Loopback by default: the machine's other addresses are not served.
        let addresses = (try? TestEnvironment.run("/usr/bin/hostname", ["-I"]).stdout) ?? ""
        for address in addresses.split(separator: " ").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        where !address.isEmpty && !address.contains(":") {
            #expect(
                try HTTP.request("http://\(address):\(consolePort)/healthz").status == 0, "\(address) must not answer")
        }
        proxy.stop()
        #expect(!Peers.isListening(consolePort), "the console port closes with the proxy")
        #expect(!proxy.output.contains("error"), "a clean stop logs no error: \(proxy.output)")
    }

    /// The element id of the test destination's folder.
    static func folderID(_ port: UInt16) -> String { "STORESCP_127.0.0.1_\(port)" }
}
