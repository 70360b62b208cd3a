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
}
