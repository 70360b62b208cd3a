import Foundation
import Testing
@testable import Classifier

/// Golden tests for the operating points by region (model format 6): the part threshold on the
/// mass of the part's region, only where the descriptions name the part; the per trunk class
/// thresholds on cross-sectional scans. The models have no weights, only biases, so their
/// probabilities are the ones written in each test.
@Suite("OperatingPoints")
struct OperatingPointTests {
    static let classes = ["ABDOMEN", "CHEST", "EXTREMITY", "HEAD", "KNEE", "LEG", "PELVIS"]

    static func model(_ p: [String: Double], part: Double? = nil, trunk: [String: Double]? = nil) -> BodyPartModel {
        let rest = (1 - p.values.reduce(0, +)) / Double(classes.count - p.count)
        let bias = classes.map { Float(log(max(p[$0] ?? rest, 1e-6))) }
        let hashing = FeatureHashing.standard
        let linear = LinearWeights(classCount: classes.count, buckets: hashing.buckets,
                                   weights: [Float](repeating: 0, count: hashing.buckets * classes.count), bias: bias)
        var m = BodyPartModel(modelID: "test", classes: classes, hashing: hashing, linear: linear, threshold: 0.95,
                              taxonomy: Fixtures.taxonomy)
        m.partThreshold = part
        m.trunkThresholds = trunk
        return m
    }

    static func series(_ modality: String, study: String, series: String = "AX T2") -> SeriesMetadata {
        SeriesMetadata(attributes: ["Modality": modality, "StudyDescription": study, "SeriesDescription": series])
    }

    @Test("torn between KNEE and LEG on 'MR KNEE LEFT': KNEE, by the mass of the limb, reported as that mass")
    func partNamedByTheText() {
        let m = Self.model(["KNEE": 0.4, "LEG": 0.35, "EXTREMITY": 0.05], part: 0.7)
        let p = m.predict(Self.series("MR", study: "MR KNEE LEFT"))
        #expect(p.bodyPart == "KNEE")
        #expect(abs(p.confidence - 0.8) < 0.01)
        // Not below the part threshold, and never when the descriptions do not name the part.
        #expect(Self.model(["KNEE": 0.4, "LEG": 0.35, "EXTREMITY": 0.05], part: 0.85).predict(Self.series("MR", study: "MR KNEE LEFT")).abstained)
        #expect(m.predict(Self.series("MR", study: "MRI", series: "AX T2")).abstained)
        // Without a part threshold only the main one answers.
        #expect(Self.model(["KNEE": 0.4, "LEG": 0.35, "EXTREMITY": 0.05]).predict(Self.series("MR", study: "MR KNEE LEFT")).abstained)
    }

    @Test("a trunk class answers from its own threshold on CT with text, from the main one without, and from the part threshold on a radiograph")
    func trunkClassThresholds() {
        let m = Self.model(["PELVIS": 0.8], part: 0.7, trunk: ["PELVIS": 0.75, "CHEST": 0.95])
        #expect(m.predict(Self.series("CT", study: "CT PELVIS")).bodyPart == "PELVIS")
        // Without any description naming a region, the main threshold decides (no text: no lowered point).
        #expect(m.predict(Self.series("CT", study: "", series: "AXIAL 5MM")).abstained)
        let strict = Self.model(["PELVIS": 0.8], part: 0.7, trunk: ["PELVIS": 0.9, "CHEST": 0.95])
        #expect(strict.predict(Self.series("CT", study: "CT PELVIS")).abstained)
        // A radiograph of the pelvis has no extent to disagree on: the part threshold decides.
        #expect(strict.predict(Self.series("CR", study: "XR PELVIS")).bodyPart == "PELVIS")
        // ... only where the descriptions name it.
        #expect(strict.predict(Self.series("CR", study: "XR", series: "AP")).abstained)
    }
}
