import Audit
import BodypartTesting
import Foundation
import Testing

@testable import Cleanup

@Suite struct PolicyTests {
    @Test func shippedPolicyLoadsWithItsDefaults() throws {
        let policy = try PolicyLoader.load(from: TestEnvironment.rules.appendingPathComponent("policy.yaml"))
        #expect(policy.mode == .enforce)
        #expect(policy.fillThreshold == nil && policy.correctThreshold == 0.97)
        #expect(try PolicyLoader.parse("thresholds: {fill: 0.5}", name: "p").fillThreshold == 0.5)
        #expect(policy.denyModalities.contains("SR"))
        #expect(policy.hash.count == 64)
        #expect(policy.pixelCheck == .lowConfidence && policy.pixelModel == nil && policy.quietHours == nil)
        let hanging = try HangingRules.load(from: TestEnvironment.rules.appendingPathComponent("hanging.yaml"))
        #expect(hanging.category(modality: "CR", bodyPart: "CHEST", view: "PA") == "CR CHEST PA")
        #expect(hanging.category(modality: "MR", bodyPart: "HEAD", view: nil) == "MR BRAIN")
        #expect(hanging.category(modality: "CT", bodyPart: "ABDOMEN", view: nil) == "CT ABDOMEN")
    }

    /// Each mistake gives one line naming the file, the line and the key.
    @Test(arguments: [
        ("version: 1\ntresholds:\n  fill: 0.9\n", ":2: tresholds: unknown key"),
        ("thresholds:\n  fill: 1.5\n", ":2: thresholds.fill: must be a number from 0 to 1"),
        ("thresholds:\n  fil: 0.5\n", ":2: thresholds.fil: unknown key"),
        ("mode: loud\n", ":1: mode: 'loud' is not a known value"),
        ("normalize: maybe\n", ":1: normalize: must be true or false"),
        ("change:\n  PatientName: true\n", ":2: change.PatientName: unknown attribute"),
        ("modalities:\n  deny: SR\n", ":2: modalities.deny: must be a list"),
        ("descriptions:\n  study: [Nonsense]\n", ":2: descriptions.study: 'Nonsense' is not a description source"),
        ("thresholds: {flag: 0.99, correct: 0.9}\n", "must not exceed thresholds.correct"),
        ("mode: [unclosed\n", "not valid YAML"),
        ("version: 1\npixelCheck: sometimes\n", ":2: pixelCheck: 'sometimes' is not one of never, lowConfidence"),
        ("pixelCheck: sample:120%\n", ":1: pixelCheck: 'sample:120%'"),
        ("pixelCheck: sample:10\n", ":1: pixelCheck: 'sample:10'"),
        ("quietHours: \"22:00-25:00\"\n", ":1: quietHours: '22:00-25:00' is not a window HH:MM-HH:MM"),
        ("quietHours: \"22:00\"\n", ":1: quietHours: '22:00' is not a window"),
        ("pixelModel:\n  command: plugin.sh\n", ":2: pixelModel.command: must be an absolute path"),
        ("pixelModel:\n  command: /bin/x\n  timeoutSeconds: -1\n", ":3: pixelModel.timeoutSeconds: must be a number of seconds"),
        ("pixelModel:\n  comand: /bin/x\n", ":2: pixelModel.comand: unknown key (known: command, timeoutSeconds)"),
        ("pixelModel:\n  timeoutSeconds: 5\n", ":2: pixelModel: needs command"),
    ])
    func badPolicyNamesKeyAndLine(text: String, expected: String) throws {
        do {
            _ = try PolicyLoader.parse(text, name: "p.yaml")
            Issue.record("accepted a bad policy: \(text)")
        } catch {
            #expect(error.description.hasPrefix("p.yaml"))
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func shadowModeChangesNoStandardAttribute() throws {
        let policy = try PolicyLoader.parse("mode: shadow\n", name: "p")
        #expect(!policy.mayChange("BodyPartExamined"))
        #expect(policy.privateTags)
    }

    @Test func pixelKeysParse() throws {
        let policy = try PolicyLoader.parse("""
            pixelCheck: sample:12.5%
            quietHours: "22:00-06:00"
            pixelModel: {command: /opt/x/ct-region, timeoutSeconds: 4}
            """, name: "p")
        #expect(policy.pixelCheck == .sample(percent: 12.5))
        #expect(policy.pixelCheck.description == "sample:12.5%")
        #expect(policy.pixelModel == Policy.PixelModel(command: "/opt/x/ct-region", timeoutSeconds: 4))
        let hours = try #require(policy.quietHours)
        #expect(hours.description == "22:00-06:00")
        #expect(hours.contains(minute: 23 * 60) && hours.contains(minute: 5 * 60 + 59) && !hours.contains(minute: 6 * 60))
        #expect(!hours.contains(minute: 12 * 60))
        #expect(try PolicyLoader.parse("pixelCheck: never\npixelModel: null\n", name: "p").pixelCheck == .never)
        #expect(try PolicyLoader.parse("pixelCheck: always\n", name: "p").pixelCheck == .always)
    }

    /// lowConfidence picks abstentions and predictions below thresholds.correct;
    /// a sample picks the same series every time; only CT is ever checked.
    @Test func pixelCheckSelection() throws {
        var policy = Policy()
        func decision(_ kind: DecisionKind, _ confidence: Double) -> SeriesDecision {
            SeriesDecision(kind: kind, reason: "", prediction: .init(bodyPart: "CHEST", topClass: "CHEST", confidence: confidence,
                                                                      abstained: false, alternatives: [], evidence: [], modelID: "m"),
                           originalBodyPartExamined: nil, modificationReason: "COERCE")
        }
        #expect(policy.selectsPixelCheck(modality: "CT", decision: decision(.abstained, 0.99), seriesInstanceUID: "1"))
        #expect(policy.selectsPixelCheck(modality: "CT", decision: decision(.filled, 0.90), seriesInstanceUID: "1"))
        #expect(!policy.selectsPixelCheck(modality: "CT", decision: decision(.filled, 0.98), seriesInstanceUID: "1"))
        #expect(!policy.selectsPixelCheck(modality: "MR", decision: decision(.abstained, 0.2), seriesInstanceUID: "1"))
        #expect(!policy.selectsPixelCheck(modality: "CT", decision: decision(.skipped, 0), seriesInstanceUID: "1"))
        policy.pixelCheck = .sample(percent: 30)
        let uids = (0..<1000).map { "1.2.3.\($0)" }
        let picked = uids.filter { policy.selectsPixelCheck(modality: "CT", decision: decision(.filled, 0.99), seriesInstanceUID: $0) }
        #expect((200...400).contains(picked.count), "\(picked.count)")
        #expect(picked == uids.filter { policy.selectsPixelCheck(modality: "CT", decision: decision(.filled, 0.99), seriesInstanceUID: $0) })
        policy.pixelCheck = .never
        #expect(!policy.selectsPixelCheck(modality: "CT", decision: decision(.abstained, 0.1), seriesInstanceUID: "1"))
    }

    /// Before a decision (the proxy, when an object arrives): never false for
    /// a series a decision could select, false where none could.
    @Test func pixelCheckPossibleBeforeTheDecision() {
        var policy = Policy()
        #expect(policy.mayPixelCheck(modality: "CT", seriesInstanceUID: "1"))
        #expect(!policy.mayPixelCheck(modality: "MR", seriesInstanceUID: "1") && !policy.mayPixelCheck(modality: nil, seriesInstanceUID: "1"))
        policy.pixelCheck = .sample(percent: 30)
        let decision = SeriesDecision(kind: .filled, reason: "", prediction: nil, originalBodyPartExamined: nil, modificationReason: "COERCE")
        for uid in (0..<300).map({ "1.2.3.\($0)" }) {
            #expect(policy.mayPixelCheck(modality: "CT", seriesInstanceUID: uid)
                == policy.selectsPixelCheck(modality: "CT", decision: decision, seriesInstanceUID: uid))
        }
        policy.pixelCheck = .always
        policy.denyModalities.insert("CT")
        #expect(!policy.mayPixelCheck(modality: "CT", seriesInstanceUID: "1"))
        policy.denyModalities.remove("CT")
        policy.pixelCheck = .never
        #expect(!policy.mayPixelCheck(modality: "CT", seriesInstanceUID: "1"))
    }

    /// The quiet-hours window read at a given instant in a given time zone,
    /// across midnight and not.
    @Test func quietHoursAtAnInstant() throws {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = try #require(TimeZone(identifier: "UTC"))
        var tokyo = utc
        tokyo.timeZone = try #require(TimeZone(identifier: "Asia/Tokyo"))
        func at(_ hour: Int, _ minute: Int) -> Date {
            utc.date(from: DateComponents(year: 2026, month: 11, day: 25, hour: hour, minute: minute))!
        }
        let night = try #require(Policy.QuietHours("22:00-06:00"))
        #expect(night.contains(at(22, 0), calendar: utc) && night.contains(at(0, 0), calendar: utc))
        #expect(night.contains(at(5, 59), calendar: utc) && !night.contains(at(6, 0), calendar: utc))
        #expect(!night.contains(at(21, 59), calendar: utc) && !night.contains(at(12, 0), calendar: utc))
        // 13:30 UTC is 22:30 in Tokyo; 21:30 UTC is 06:30 there.
        #expect(night.contains(at(13, 30), calendar: tokyo) && !night.contains(at(21, 30), calendar: tokyo))
        let lunch = try #require(Policy.QuietHours("12:00-13:30"))
        #expect(lunch.contains(at(12, 0), calendar: utc) && lunch.contains(at(13, 29), calendar: utc))
        #expect(!lunch.contains(at(13, 30), calendar: utc) && !lunch.contains(at(11, 59), calendar: utc))
        #expect(Policy.QuietHours("06:00-06:00") == nil)
    }
}
