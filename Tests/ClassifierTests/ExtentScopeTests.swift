import Anatomy
import Foundation
import Testing
@testable import Classifier

/// Golden tests for where a trunk class's own threshold applies (``TrunkScope``): only where the
/// header settles the scan's extent. The models have no weights, only biases.
@Suite("ExtentScope")
struct ExtentScopeTests {
    static let classes = ["ABDOMEN", "CHEST", "CHESTABDPELVIS", "HEAD", "PELVIS", "WHOLEBODY"]

    /// A model giving `p` to every series, main threshold 0.95, CHEST and WHOLEBODY lowered to 0.6.
    static func model(_ p: [String: Double], scope: TrunkScope = .settled) -> BodyPartModel {
        let rest = (1 - p.values.reduce(0, +)) / Double(classes.count - p.count)
        let bias = classes.map { Float(log(max(p[$0] ?? rest, 1e-6))) }
        let hashing = FeatureHashing.standard
        let linear = LinearWeights(classCount: classes.count, buckets: hashing.buckets,
                                   weights: [Float](repeating: 0, count: hashing.buckets * classes.count), bias: bias)
        var m = BodyPartModel(modelID: "test", classes: classes, hashing: hashing, linear: linear, threshold: 0.95,
                              taxonomy: Fixtures.taxonomy)
        m.trunkThresholds = ["CHEST": 0.6, "WHOLEBODY": 0.6]
        m.trunkScope = scope
        return m
    }

    static func ct(_ fields: [String: String]) -> SeriesMetadata {
        SeriesMetadata(attributes: ["Modality": "CT"].merging(fields) { $1 })
    }

    static let chest = model(["CHEST": 0.7])

    @Test("a CT whose descriptions name the chest and nothing wider: answered at CHEST's own threshold")
    func settled() {
        let p = Self.chest.predict(Self.ct(["StudyDescription": "CT THORAX", "SeriesDescription": "Lung 1.0"]))
        #expect(p.bodyPart == "CHEST")
        #expect(Self.chest.predict(Self.ct(["SeriesDescription": "AXIAL 5MM"])).abstained, "no text: the main threshold")
    }

    @Test("a lung series of a chest-abdomen-pelvis study: the main threshold (the extent is the study's)")
    func broaderStudy() {
        let s = Self.ct(["StudyDescription": "CT CHEST ABDOMEN PELVIS", "SeriesDescription": "AX LUNG"])
        #expect(Self.chest.predict(s).abstained)
        #expect(Self.model(["CHEST": 0.7], scope: .named).predict(s).bodyPart == "CHEST", "format 6 scope: any named region")
    }

    @Test("a PET/CT's CT named after the disease site: the main threshold; a WHOLEBODY answer keeps its own")
    func petContext() {
        let s = Self.ct(["StudyDescription": "PET/CT Lung Cancer", "SeriesDescription": "CT Lung"])
        #expect(Self.chest.predict(s).abstained)
        let whole = Self.model(["WHOLEBODY": 0.7])
        #expect(whole.predict(Self.ct(["StudyDescription": "PETCT WHOLE BODY", "SeriesDescription": "CT WB"])).bodyPart == "WHOLEBODY")
        #expect(!Predictor.petContext(Self.ct(["StudyDescription": "CT COMPETENCE CHEST"])), "PET as a word only")
    }

    @Test("a stored BodyPartExamined naming another region: the main threshold; the same region keeps the lower one")
    func storedConflict() {
        #expect(Self.chest.predict(Self.ct(["StudyDescription": "CT Chest", "BodyPartExamined": "ABDOMEN"])).abstained)
        #expect(Self.chest.predict(Self.ct(["StudyDescription": "CT Chest", "BodyPartExamined": "LUNG"])).bodyPart == "CHEST")
    }
}
