import Anatomy
import Foundation
import Testing
@testable import Classifier

/// Golden tests for how an answer is chosen: the hierarchy (coarser answers), the stored
/// BodyPartExamined as evidence, and the study context. The models here have no weights, only
/// biases, so their probabilities are the ones written in each test.
@Suite("AnswerRules")
struct AnswerRulesTests {
    static let classes = ["ABDOMEN", "ABDOMENPELVIS", "BRAIN", "CHEST", "HEAD", "KNEE", "PELVIS"]

    /// A model whose probabilities are `p` (by class name; the rest share what is left) for every series.
    static func model(_ p: [String: Double], threshold: Double = 0.9, coarser: Double? = nil,
                      storedTerm: StoredTermEvidence? = nil) -> BodyPartModel {
        let rest = (1 - p.values.reduce(0, +)) / Double(classes.count - p.count)
        let bias = classes.map { Float(log(max(p[$0] ?? rest, 1e-6))) }
        let hashing = FeatureHashing.standard
        let linear = LinearWeights(classCount: classes.count, buckets: hashing.buckets,
                                   weights: [Float](repeating: 0, count: hashing.buckets * classes.count), bias: bias)
        var m = BodyPartModel(modelID: "test", classes: classes, hashing: hashing, linear: linear, threshold: threshold,
                              storedTerm: storedTerm, taxonomy: Fixtures.taxonomy)
        m.coarserThreshold = coarser
        return m
    }

    static let plain = SeriesMetadata(attributes: ["Modality": "CT", "SeriesDescription": "AXIAL 5MM"])

    @Test("torn between ABDOMEN and ABDOMENPELVIS: ABDOMENPELVIS by the mass of its parts, marked coarser")
    func coarserAnswer() {
        let p = Self.model(["ABDOMEN": 0.5, "ABDOMENPELVIS": 0.3, "PELVIS": 0.15], coarser: 0.9).predict(Self.plain)
        #expect(p.bodyPart == "ABDOMENPELVIS")
        #expect(p.precision == .coarser)
        #expect(abs(p.confidence - 0.95) < 0.01)
        #expect(p.topClass == "ABDOMENPELVIS")
    }

    @Test("no coarser answer without a fitted threshold, nor when the containing mass is short of it")
    func noCoarserAnswer() {
        #expect(Self.model(["ABDOMEN": 0.5, "ABDOMENPELVIS": 0.3, "PELVIS": 0.15]).predict(Self.plain).abstained)
        #expect(Self.model(["ABDOMEN": 0.5, "ABDOMENPELVIS": 0.2, "CHEST": 0.25], coarser: 0.9).predict(Self.plain).abstained)
    }

    @Test("torn between HEAD and BRAIN: HEAD, an exact answer (the two are one group)")
    func headBrain() {
        let p = Self.model(["HEAD": 0.5, "BRAIN": 0.45], coarser: 0.9).predict(Self.plain)
        #expect(p.bodyPart == "HEAD")
        #expect(p.precision == .exact)
        #expect(p.confidence >= 0.94)
    }

    static let evidence = StoredTermEvidence(floor: 0.02, confidence: 0.98)

    @Test("a stored term nothing contradicts gives an agreeing answer")
    func storedAgrees() {
        let m = Self.model(["CHEST": 0.3, "ABDOMEN": 0.3], storedTerm: Self.evidence)
        let p = m.predict(Self.plain.withBodyPartExamined("LUNG"))
        #expect(p.bodyPart == "CHEST")
        #expect(p.basis == .storedTerm)
        #expect(p.confidence == 0.98)
        #expect(m.predict(Self.plain).abstained)
    }

    @Test("a stored term the descriptions contradict, or name more widely, gives nothing")
    func storedContradicted() {
        let m = Self.model(["CHEST": 0.3, "ABDOMEN": 0.3], storedTerm: Self.evidence)
        let brain = SeriesMetadata(attributes: ["Modality": "CT", "SeriesDescription": "HEAD 5MM", "BodyPartExamined": "CHEST"])
        #expect(m.predict(brain).abstained)
        let wider = SeriesMetadata(attributes: ["Modality": "CT", "StudyDescription": "CT ABD PELVIS", "BodyPartExamined": "ABDOMEN"])
        #expect(m.predict(wider).abstained)
    }

    @Test("fitted as corroborated, a stored term counts only where a description names it")
    func storedCorroborated() {
        let m = Self.model(["CHEST": 0.3, "ABDOMEN": 0.3], storedTerm: StoredTermEvidence(floor: 0.02, confidence: 0.98, corroborated: true))
        #expect(m.predict(Self.plain.withBodyPartExamined("CHEST")).abstained)
        let named = SeriesMetadata(attributes: ["Modality": "CT", "SeriesDescription": "LUNG 1MM", "BodyPartExamined": "CHEST"])
        #expect(m.predict(named).bodyPart == "CHEST")
    }

    @Test("a stored term the rest of the header makes implausible (a corrupted one) gives nothing")
    func storedImplausible() {
        let m = Self.model(["CHEST": 0.6, "ABDOMEN": 0.395, "KNEE": 0.001], storedTerm: Self.evidence)
        let p = m.predict(Self.plain.withBodyPartExamined("KNEE"))
        #expect(p.abstained)
        #expect(p.bodyPart == nil)
    }

    @Test("the model's own confident answer for another class wins over the stored term")
    func modelWins() {
        let m = Self.model(["CHEST": 0.97], storedTerm: Self.evidence)
        let p = m.predict(Self.plain.withBodyPartExamined("ABDOMEN"))
        #expect(p.bodyPart == "CHEST")
        #expect(p.basis == .model)
    }

    @Test("the stored-term evidence and the coarser threshold are saved in the model file (format 4)")
    func savedInModelFile() throws {
        let m = Self.model(["CHEST": 0.5], coarser: 0.93, storedTerm: Self.evidence)
        let back = try ModelFile.decode(ModelFile.encode(m))
        #expect(back.storedTerm == Self.evidence)
        #expect(back.coarserThreshold == 0.93)
    }

    // MARK: study context

    static func prediction(_ part: String?, basis: Prediction.Basis = .model) -> Prediction {
        Prediction(bodyPart: part, topClass: part ?? "CHEST", confidence: part == nil ? 0.4 : 0.97, abstained: part == nil,
                   alternatives: [], evidence: [], modelID: "test", basis: basis)
    }

    static let study: [SeriesMetadata] = [
        SeriesMetadata(attributes: ["Modality": "MR", "SeriesDescription": "FAST LOCALIZER", "StudyDescription": "Brain-MRA"]),
        SeriesMetadata(attributes: ["Modality": "MR", "SeriesDescription": "TOF 3D", "StudyDescription": "Brain-MRA"]),
        SeriesMetadata(attributes: ["Modality": "MR", "SeriesDescription": "AX FLAIR BRAIN", "StudyDescription": "Brain-MRA"]),
        SeriesMetadata(attributes: ["Modality": "MR", "SeriesDescription": "SAG NECK", "StudyDescription": "Brain-MRA"]),
    ]

    @Test("a localizer inherits its study's region; a series naming another part keeps abstaining")
    func localizerInherits() {
        let context = StudyContext(taxonomy: Fixtures.taxonomy)
        let out = context.resolve(Self.study, [Self.prediction(nil), Self.prediction("BRAIN"), Self.prediction("HEAD"), Self.prediction(nil)])
        #expect(out[0].bodyPart == "BRAIN")
        #expect(out[0].basis == .study)
        #expect(out[3].abstained)
    }

    @Test("the order of the series does not change the answers")
    func orderIndependent() {
        let context = StudyContext(taxonomy: Fixtures.taxonomy)
        let preds = [Self.prediction(nil), Self.prediction("BRAIN"), Self.prediction("HEAD"), Self.prediction(nil)]
        let forward = context.resolve(Self.study, preds)
        let order = [3, 1, 0, 2]
        let shuffled = context.resolve(order.map { Self.study[$0] }, order.map { preds[$0] })
        for (j, i) in order.enumerated() { #expect(shuffled[j] == forward[i]) }
    }

    @Test("a study whose answered series disagree gives nothing to the others")
    func disagreeingStudy() {
        let context = StudyContext(taxonomy: Fixtures.taxonomy)
        let out = context.resolve(Self.study, [Self.prediction(nil), Self.prediction("BRAIN"), Self.prediction("CHEST"), Self.prediction(nil)])
        #expect(out[0].abstained)
    }
}
