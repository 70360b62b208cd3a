import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup
@testable import Proxy

/// The proxy's pixel cross-check after forwarding: real peers (storescu →
/// bodypart proxy → storescp), a real CT volume, the built-in pixel check.
@Suite(.serialized) struct ProxyPixelCheckTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    // MARK: When a series is checked (clock values injected)

    @Test func scheduleSettlesThenWaitsForTheQuietHours() throws {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = try #require(TimeZone(identifier: "UTC"))
        func at(_ hour: Int, _ minute: Int, _ second: Int = 0, day: Int = 25) -> Date {
            utc.date(from: DateComponents(year: 2026, month: 11, day: day, hour: hour, minute: minute, second: second))!
        }
        let night = PixelSchedule(settleSeconds: 120, quietHours: Policy.QuietHours("22:00-06:00"), calendar: utc)
        // Still arriving: settling, whatever the hour.
        #expect(night.state(lastArrival: at(23, 0), now: at(23, 1)) == .settling(seconds: 60))
        #expect(night.state(lastArrival: at(12, 0), now: at(12, 1, 59)) == .settling(seconds: 1))
        // Settled by day: waits for the night.
        #expect(night.state(lastArrival: at(12, 0), now: at(12, 2)) == .waitingForQuietHours)
        #expect(night.state(lastArrival: at(12, 0), now: at(21, 59, 59)) == .waitingForQuietHours)
        // The window crosses midnight: due from 22:00 to 05:59, not at 06:00.
        #expect(night.state(lastArrival: at(12, 0), now: at(22, 0)) == .due)
        #expect(night.state(lastArrival: at(12, 0), now: at(0, 30, day: 26)) == .due)
        #expect(night.state(lastArrival: at(12, 0), now: at(5, 59, 59, day: 26)) == .due)
        #expect(night.state(lastArrival: at(12, 0), now: at(6, 0, day: 26)) == .waitingForQuietHours)
        // Arrived in the night, settled in the night.
        #expect(night.state(lastArrival: at(23, 58), now: at(0, 0, day: 26)) == .due)
        // No quiet hours: due once settled.
        let always = PixelSchedule(settleSeconds: 120, quietHours: nil, calendar: utc)
        #expect(always.state(lastArrival: at(12, 0), now: at(12, 2)) == .due)
        #expect(always.state(lastArrival: at(12, 0), now: at(12, 1)) == .settling(seconds: 60))
    }

    @Test func pixelSettingsFromYAML() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-pixel-yaml")
        defer { TestEnvironment.remove(folder) }
        func load(_ text: String) throws -> ProxyConfiguration {
            let path = folder.appendingPathComponent("c.yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return try ProxyConfiguration.load(yamlFile: path)
        }
        #expect(try load("port: 104\n").pixel.settleSeconds == 120)
        #expect(try load("pixel:\n  settle_seconds: 5\n").pixel.settleSeconds == 5)
        #expect(try load("pixel: {settle_seconds: 0.5}\n").pixel.settleSeconds == 0.5)
        #expect(throws: ProxyError.self) { try load("pixel: {settle: 5}\n") }
        #expect(throws: ProxyError.self) { try load("pixel: {settle_seconds: soon}\n") }
        var negative = ProxyConfiguration()
        negative.destinations = [try Destination(parsing: "PACS@127.0.0.1:104")]
        negative.pixel.settleSeconds = -1
        #expect(throws: ProxyError.self) { try negative.validate() }
    }

    /// The row the check appends says what the objects were sent with.
    @Test func rowAfterForwardingKeepsWhatWasSent() {
        let sent = SeriesDecision(kind: .filled, reason: "BodyPartExamined missing; predicted HEAD at 90 %", prediction: nil,
                                  originalBodyPartExamined: nil, newBodyPartExamined: "HEAD", regionTerm: "HEAD",
                                  modificationReason: "COERCE", hangingCategory: "CT HEAD", descriptions: ["SeriesDescription": "CT HEAD"])
        var flagged = sent
        (flagged.kind, flagged.newBodyPartExamined, flagged.disagreement, flagged.descriptions) = (.flagged, nil, true, [:])
        flagged.reason = "metadata predicts HEAD at 90 %, pixel check CHEST at 92 %: they disagree; nothing changed, flagged for review"
        flagged.pixel = PixelOpinion(bodyPart: "CHEST", confidence: 0.92, model: "pixelcheck")
        let row = PixelWorker.afterForwarding(sent: sent, revised: flagged)
        #expect(row.kind == .flagged && row.disagreement == true && row.newBodyPartExamined == "HEAD")
        #expect(row.reason.contains("they disagree") && row.reason.contains("not sent again") && row.reason.contains("FILLED"))
        #expect(row.descriptions == sent.descriptions && row.pixel?.bodyPart == "CHEST")

        var agrees = sent
        agrees.reason += "; pixel check HEAD at 95 % agrees"
        agrees.source = .both
        agrees.pixel = PixelOpinion(bodyPart: "HEAD", confidence: 0.95, model: "pixelcheck")
        let confirmed = PixelWorker.afterForwarding(sent: sent, revised: agrees)
        #expect(confirmed.kind == .filled && confirmed.source == .both && confirmed.reason.hasSuffix("agrees (checked after forwarding)"))

        let unsure = SeriesDecision(kind: .abstained, reason: "BodyPartExamined missing; not confident", prediction: nil,
                                    originalBodyPartExamined: nil, modificationReason: "COERCE")
        var byPixels = unsure
        (byPixels.kind, byPixels.newBodyPartExamined, byPixels.source) = (.filled, "CHEST", .pixel)
        byPixels.pixel = PixelOpinion(bodyPart: "CHEST", confidence: 0.92, model: "pixelcheck")
        let noted = PixelWorker.afterForwarding(sent: unsure, revised: byPixels)
        #expect(noted.kind == .abstained && noted.newBodyPartExamined == nil && noted.pixel?.bodyPart == "CHEST")
        #expect(noted.reason.contains("would make it FILLED") && noted.reason.contains("not applied"))
    }

    // MARK: End to end

    /// A chest volume whose header says HEAD everywhere.
    static func chestCalledHead(in folder: URL) throws -> [String] {
        let copy = folder.appendingPathComponent("lung")
        try FileManager.default.copyItem(at: TestEnvironment.dicomDevFiles.appendingPathComponent(Peers.lungCT), to: copy)
        let files = TestEnvironment.files(under: copy)
        let edit = try TestEnvironment.run("dcmodify", ["-nb", "-m", "(0018,0015)=HEAD", "-i", "(0008,103E)=HEAD W/O CONTRAST",
                                                         "-i", "(0008,1030)=CT BRAIN", "-i", "(0018,1030)=BRAIN ROUTINE"] + files)
        #expect(edit.status == 0, "\(edit.stderr)")
        return files
    }

    static func policy(in folder: URL, _ text: String) throws -> String {
        let path = folder.appendingPathComponent("policy.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Series folders kept in the spool for the pixel check.
    static func kept(_ spool: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("pixel").path)) ?? []
    }

    static func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Metadata says HEAD, pixels CHEST: forwarded at once as decided; then,
    /// settled, the check flags it, opens a review and empties the folder.
    @Test func disputedSeriesIsForwardedAtOnceThenFlaggedForReview() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-pixel")
        defer { TestEnvironment.remove(folder) }
        let files = try Self.chestCalledHead(in: folder)
        let (scpPort, proxyPort, metricsPort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let spool = folder.appendingPathComponent("spool")
        let audit = folder.appendingPathComponent("audit.sqlite").path
        let proxy = try Peers.proxy(["--destination", "STORESCP@127.0.0.1:\(scpPort)", "--spool", spool.path, "--audit", audit,
                                     "--metrics-port", "\(metricsPort)", "--policy", try Self.policy(in: folder, "pixelCheck: always\n"),
                                     "--config", try Peers.config(in: folder, "pixel:\n  settle_seconds: 6")],
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let sent = try Peers.storescu(files, port: proxyPort)
        #expect(Peers.successes(sent) == files.count, "\(sent.stderr)")
        // Every object arrives as usual, before the series has settled.
        #expect(Peers.waitUntil(20) { TestEnvironment.files(under: received).count == files.count }, "\(proxy.output)")
        let status = try TestEnvironment.bodypart(["proxy", "status", "--spool", spool.path])
        #expect(status.stdout.contains("pixel check\tpending 1 series\tobjects \(files.count)"), "\(status.stdout)")
        // Sent as the metadata decided: the header's HEAD, no FLAGGED.
        for file in TestEnvironment.files(under: received) {
            let dataset = try HeaderReader().read(file).dataset
            #expect(dataset.string(.bodyPartExamined) == "HEAD")
            #expect(PrivateBlock.values(in: dataset)[.decision] != "FLAGGED")
        }
        let series = try #require(try HeaderReader().read(files[0]).dataset.string(.seriesInstanceUID))

        // Then the check: FLAGGED, a review open with both answers, the folder gone.
        #expect(Peers.waitUntil(90) {  // a bound, not a figure: the check of a CT volume in a debug build under a loaded CI machine
            let list = try? TestEnvironment.bodypart(["review", "list", "--audit", audit, "--format", "jsonl"])
            return list.map { Self.jsonLines($0.stdout).count == 1 } ?? false
        }, "\(proxy.output)")
        let review = try #require(Self.jsonLines(try TestEnvironment.bodypart(["review", "list", "--audit", audit, "--format", "jsonl"]).stdout).first)
        #expect(review["seriesInstanceUID"] as? String == series && review["status"] as? String == "open")
        #expect(review["pixelAnswer"] as? String == "CHEST" && review["metadataAnswer"] as? String != "CHEST", "\(review)")
        let flagged = Self.jsonLines(try TestEnvironment.bodypart(["audit", "list", "--audit", audit, "--decision", "FLAGGED",
                                                                   "--format", "jsonl"]).stdout)
        #expect(flagged.count == 1, "\(flagged)")
        let row = try #require(flagged.first)
        #expect(row["seriesInstanceUID"] as? String == series && row["files"] as? Int == files.count, "\(row)")
        #expect((row["reason"] as? String)?.contains("not sent again") == true, "\(row)")
        #expect(row["newBodyPartExamined"] is NSNull, "the header's HEAD went out unchanged: \(row)")
        // Its evidence holds both answers, as clean records them.
        let export = try TestEnvironment.bodypart(["audit", "export", "--audit", audit, "--format", "json", "--records", "decisions"])
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        let rows = try #require(exported["decisions"] as? [[String: Any]])
        let evidence = try #require(rows.first { $0["decision"] as? String == "FLAGGED" }?["evidence"] as? [String: Any], "\(rows)")
        #expect(evidence["pixel.bodyPart"] as? String == "CHEST" && evidence["pixel.model"] as? String == "pixelcheck", "\(evidence)")
        #expect(evidence["topClass"] != nil, "\(evidence)")
        #expect(Peers.waitUntil(5) { Self.kept(spool).isEmpty }, "\(Self.kept(spool))")
        let record = try String(contentsOf: spool.appendingPathComponent("series/\(series).json"), encoding: .utf8)
        #expect(record.contains("\"pixelCheck\"") && record.contains("\"disagreement\":true"), "\(record)")
        let metrics = try TestEnvironment.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(metricsPort)/metrics"]).stdout
        for line in ["bodypart_proxy_pixel_checks_total 1", "bodypart_proxy_pixel_disagreements_total 1",
                     "bodypart_proxy_pixel_pending_series 0"] {
            #expect(metrics.contains(line), "\(metrics)")
        }
        // Nothing was sent again.
        #expect(TestEnvironment.files(under: received).count == files.count)
        proxy.stop()
        #expect(proxy.process.terminationStatus == 0, "\(proxy.output)")
        let summary = try TestEnvironment.bodypart(["audit", "summary", "--audit", audit, "--format", "json"])
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        #expect(counts["series"] as? Int == 1, "one series, decided and then flagged: \(summary.stdout)")
        #expect(try TestEnvironment.bodypart(["audit", "verify", "--audit", audit]).status == 0)
    }

    /// Kept objects beyond `pixel.max_spool_share` of the spool's file system:
    /// the series is not checked (never on part of it), the audit says why,
    /// forwarding goes on as usual.
    @Test func seriesOverTheSpoolShareIsNotChecked() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-pixel-share")
        defer { TestEnvironment.remove(folder) }
        let files = Peers.dev(Peers.lungCT)
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let spool = folder.appendingPathComponent("spool")
        let audit = folder.appendingPathComponent("audit.sqlite").path
        // A millionth of the file system: not even one slice fits.
        let proxy = try Peers.proxy(["--destination", "STORESCP@127.0.0.1:\(scpPort)", "--spool", spool.path, "--audit", audit,
                                     "--policy", try Self.policy(in: folder, "pixelCheck: always\n"),
                                     "--config", try Peers.config(in: folder, "pixel:\n  settle_seconds: 3\n  max_spool_share: 0.000001")],
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        #expect(Peers.successes(try Peers.storescu(files, port: proxyPort)) == files.count)
        #expect(Peers.waitUntil(20) { TestEnvironment.files(under: received).count == files.count }, "\(proxy.output)")
        let status = try TestEnvironment.bodypart(["proxy", "status", "--spool", spool.path])
        #expect(status.stdout.contains("pixel check\tpending 1 series\tobjects 0"), "\(status.stdout)")
        #expect(status.stdout.contains("not checked: the kept objects would take more than pixel.max_spool_share"), "\(status.stdout)")
        #expect(Peers.waitUntil(20) { Self.kept(spool).isEmpty }, "\(proxy.output)")
        let errors = try AuditStore(path: audit, readOnly: true).errors(runID: nil).filter { $0.kind == "pixel-skipped" }
        #expect(errors.count == 1 && errors.first?.message.contains("pixel.max_spool_share") == true, "\(errors)")
        let list = Self.jsonLines(try TestEnvironment.bodypart(["audit", "list", "--audit", audit, "--format", "jsonl"]).stdout)
        #expect(list.count == 1, "no check, no second decision: \(list)")
        #expect(try TestEnvironment.bodypart(["review", "list", "--audit", audit, "--format", "jsonl"]).stdout.isEmpty)
        let series = try #require(try HeaderReader().read(files[0]).dataset.string(.seriesInstanceUID))
        let record = try String(contentsOf: spool.appendingPathComponent("series/\(series).json"), encoding: .utf8)
        #expect(record.contains("pixel check skipped"), "\(record)")
    }

    /// Outside the quiet hours the series waits (and `status` says so); it
    /// survives kill -9, and is checked after a restart inside them.
    @Test func quietHoursDeferTheCheckAcrossKill9() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-pixel-quiet")
        defer { TestEnvironment.remove(folder) }
        let files = Peers.dev(Peers.lungCT)
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let spool = folder.appendingPathComponent("spool")
        let audit = folder.appendingPathComponent("audit.sqlite").path
        // A window that starts in two hours (local time), and one around now.
        func window(from: Int, to: Int) -> String {
            let parts = Calendar.current.dateComponents([.hour, .minute], from: Date())
            let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            func hhmm(_ minutes: Int) -> String {
                let m = ((now + minutes) % 1440 + 1440) % 1440
                return String(format: "%02d:%02d", m / 60, m % 60)
            }
            return "\(hhmm(from))-\(hhmm(to))"
        }
        let later = try Self.policy(in: folder, "pixelCheck: always\nquietHours: \"\(window(from: 120, to: 180))\"\n")
        let config = try Peers.config(in: folder, "pixel:\n  settle_seconds: 1")
        func arguments(_ policy: String) -> [String] {
            ["--destination", "STORESCP@127.0.0.1:\(scpPort)", "--spool", spool.path, "--audit", audit, "--policy", policy,
             "--config", config]
        }
        let proxy = try Peers.proxy(arguments(later), port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        #expect(Peers.successes(try Peers.storescu(files, port: proxyPort)) == files.count)
        #expect(Peers.waitUntil(20) { TestEnvironment.files(under: received).count == files.count }, "\(proxy.output)")
        // Settled for a few passes: still pending, listed by status.
        sleep(4)
        let status = try TestEnvironment.bodypart(["proxy", "status", "--spool", spool.path])
        #expect(status.stdout.contains("pixel check\tpending 1 series\tobjects \(files.count)"), "\(status.stdout)")
        #expect(status.stdout.contains("\t\(files.count) objects\tlast arrival"), "\(status.stdout)")
        let before = Self.jsonLines(try TestEnvironment.bodypart(["audit", "list", "--audit", audit, "--format", "jsonl"]).stdout)
        #expect(before.count == 1, "only the metadata decision so far: \(before)")
        proxy.kill9()

        // Restarted inside the quiet hours: the kept series is checked then.
        let now = try Self.policy(in: folder, "pixelCheck: always\nquietHours: \"\(window(from: -60, to: 60))\"\n")
        let again = try Peers.proxy(arguments(now), port: proxyPort, log: folder.appendingPathComponent("proxy2.log"))
        defer { again.stop() }
        #expect(Peers.waitUntil(25) { Self.kept(spool).isEmpty }, "\(again.output)")
        let after = Self.jsonLines(try TestEnvironment.bodypart(["audit", "list", "--audit", audit, "--format", "jsonl"]).stdout)
        #expect(after.count == 2, "\(after)")
        let checked = try #require(after.first { ($0["reason"] as? String)?.contains("checked after forwarding") == true }, "\(after)")
        #expect(checked["decision"] as? String != "FLAGGED" && checked["files"] as? Int == files.count, "\(checked)")
        #expect(TestEnvironment.files(under: received).count == files.count, "nothing sent again")
        let idle = try TestEnvironment.bodypart(["proxy", "status", "--spool", spool.path])
        #expect(idle.stdout.contains("pixel check\tpending 0 series\tobjects 0"), "\(idle.stdout)")
    }
}
