import Anatomy
import BodypartTesting
import Classifier
import Testing

@testable import Cleanup

/// The policy table of DESIGN.md, case by case, with predictions made up in
/// the test (the decider is pure; the model is tested elsewhere).
@Suite struct SeriesDeciderTests {
    let decider: SeriesDecider

    init() throws {
        let taxonomy = try Taxonomy.load(from: TestEnvironment.rules.appendingPathComponent("body-parts.yaml"))
        decider = SeriesDecider(policy: Policy(), taxonomy: taxonomy, hanging: HangingRules(rules: []))
    }

    func prediction(_ part: String, _ confidence: Double, abstained: Bool = false) -> Prediction {
        Prediction(bodyPart: abstained ? nil : part, topClass: part, confidence: confidence, abstained: abstained,
                   alternatives: [], evidence: [], modelID: "test")
    }

    func series(_ bpe: String?, modality: String = "CT") -> SeriesMetadata {
        var attributes = ["Modality": modality]
        attributes["BodyPartExamined"] = bpe
        return SeriesMetadata(attributes: attributes)
    }

    @Test func fillsMissingWhenConfident() {
        let d = decider.decide(series: series(nil), prediction: prediction("CHEST", 0.95))
        #expect(d.kind == .filled && d.newBodyPartExamined == "CHEST" && d.regionTerm == "CHEST")
        #expect(d.hangingCategory == "CT CHEST")
        #expect(d.descriptions["StudyDescription"] == "CT CHEST")
    }

    @Test func abstainsWhenNotConfident() {
        #expect(decider.decide(series: series(nil), prediction: prediction("CHEST", 0.5, abstained: true)).kind == .abstained)
        var strict = Policy()
        strict.fillThreshold = 0.9
        let d = SeriesDecider(policy: strict, taxonomy: decider.taxonomy, hanging: decider.hanging)
        #expect(d.decide(series: series(nil), prediction: prediction("CHEST", 0.85)).kind == .abstained)
        var loose = Policy()
        loose.fillThreshold = 0.5
        let l = SeriesDecider(policy: loose, taxonomy: decider.taxonomy, hanging: decider.hanging)
        #expect(l.decide(series: series(nil), prediction: prediction("CHEST", 0.6, abstained: true)).kind == .filled,
                "a policy threshold below the model's fills from the top class")
    }

    @Test func normalizesNonStandardValues() {
        for (raw, term) in [("L_SPINE", "LSPINE"), ("WHOLE BODY", "WHOLEBODY"), ("BACINO", "PELVIS"), ("Brain", "BRAIN")] {
            let d = decider.decide(series: series(raw), prediction: prediction(term, 0.5, abstained: true))
            #expect(d.kind == .normalized, "\(raw)")
            #expect(d.newBodyPartExamined == term, "\(raw) → \(d.newBodyPartExamined ?? "nil")")
        }
    }

    @Test func confirmsAgreementIncludingEquivalents() {
        #expect(decider.decide(series: series("CHEST"), prediction: prediction("CHEST", 0.99)).kind == .confirmed)
        #expect(decider.decide(series: series("HEAD", modality: "MR"), prediction: prediction("BRAIN", 0.99)).kind == .confirmed)
        // A stored term broader than the answer is coarse but true.
        #expect(decider.decide(series: series("CHESTABDPELVIS"), prediction: prediction("CHEST", 0.99)).kind == .confirmed)
    }

    @Test("a stored term naming only a part of what the series shows is contradicted, not confirmed (THYROID on a whole-body PET/CT)")
    func tooNarrowStoredTerm() {
        let d = decider.decide(series: series("THYROID", modality: "PT"), prediction: prediction("WHOLEBODY", 0.99))
        #expect(d.kind == .corrected && d.newBodyPartExamined == "WHOLEBODY")
        #expect(d.reason.contains("names only a part of WHOLEBODY"))
        let chest = decider.decide(series: series("CHEST"), prediction: prediction("CHESTABDPELVIS", 0.9))
        #expect(chest.kind == .flagged && chest.newBodyPartExamined == nil)
        // An organ term equivalent to the answer's region still agrees (LUNG is CHEST).
        #expect(decider.decide(series: series("LUNG"), prediction: prediction("CHEST", 0.99)).kind == .confirmed)
    }

    @Test func contradictionIsCorrectedOnlyAboveTheStricterThreshold() {
        let strong = decider.decide(series: series("NECK"), prediction: prediction("CHEST", 0.99))
        #expect(strong.kind == .corrected && strong.newBodyPartExamined == "CHEST" && strong.modificationReason == "CORRECT")
        let medium = decider.decide(series: series("NECK"), prediction: prediction("CHEST", 0.9))
        #expect(medium.kind == .flagged && medium.newBodyPartExamined == nil)
        var flagOnly = Policy()
        flagOnly.contradicted = .flag
        let d = SeriesDecider(policy: flagOnly, taxonomy: decider.taxonomy, hanging: decider.hanging)
        #expect(d.decide(series: series("NECK"), prediction: prediction("CHEST", 0.999)).kind == .flagged)
    }

    @Test func garbageValueIsTreatedAsMissing() {
        let d = decider.decide(series: series("JPEG 2000 Compressed Image"), prediction: prediction("HEAD", 0.95))
        #expect(d.kind == .filled && d.newBodyPartExamined == "HEAD" && d.modificationReason == "CORRECT")
    }

    @Test func deniedModalitiesAreSkippedUntouched() {
        let d = decider.decide(series: series(nil, modality: "SR"), prediction: nil)
        #expect(d.kind == .skipped)
        let plan = EditPlanner(policy: Policy(), taxonomy: decider.taxonomy, modelID: "m").plan(d, dataset: .init(elements: []), dateTime: "20260101")
        #expect(plan.isEmpty)
    }
}
