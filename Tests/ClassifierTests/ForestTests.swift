import Foundation
import Testing
@testable import Classifier

@Suite("Rule features and forest")
struct ForestTests {
    @Test("rule features name the classes the taxonomy finds, per field and pooled")
    func ruleFeatures() {
        let extractor = FeatureExtractor(hashing: .standard, taxonomy: Fixtures.taxonomy)
        let meta = SeriesMetadata(attributes: ["StudyDescription": "CT THORAX ABDOMEN", "SeriesDescription": "Poumons 1.25",
                                               "BodyPartExamined": "LUNG", "Modality": "CT"])
        let v = extractor.extract(meta)
        let origins = (0..<v.count).map { v.origin(of: $0) }
        #expect(origins.contains { $0.field == .ruleSeries && $0.term == "CHEST" })
        #expect(origins.contains { $0.field == .ruleStudy && $0.term == "CHESTABDOMEN" })
        #expect(origins.contains { $0.field == .ruleFirst && $0.term == "CHEST" })
        #expect(origins.contains { $0.field == .bpeNormalized && $0.term == "CHEST" })
        #expect(origins.contains { $0.field == .bpeNormalized && $0.term == "ORGAN" })
        // Without the taxonomy (feature version 1 behaviour) there are none.
        let plain = FeatureExtractor(hashing: .standard).extract(meta)
        #expect(!(0..<plain.count).contains { [.ruleSeries, .ruleFirst].contains(plain.origin(of: $0).field) })
    }

    @Test("dense features: layout length, rule one-hots, linear probabilities last")
    func dense() {
        let extractor = FeatureExtractor(hashing: .standard, taxonomy: Fixtures.taxonomy)
        let meta = SeriesMetadata(attributes: ["SeriesDescription": "KNEE PD SAG", "Modality": "MR",
                                               "ImageOrientationPatient": "0\\1\\0\\0\\0\\-1", "SliceThickness": "3"])
        var v = FeatureVector(), x: [Float] = []
        extractor.extract(meta, into: &v)
        extractor.dense(meta, linear: [0.25, 0.75], into: &x, cache: &v)
        let t = Fixtures.taxonomy.classes.count
        #expect(x.count == extractor.denseCount(classCount: 2))
        let knee = Fixtures.taxonomy.classes.firstIndex(of: "KNEE")!
        #expect(x[0 * t + knee] == 1, "SeriesDescription first class")
        #expect(x[5 * t + knee] == 1, "first class over all fields")
        #expect(Array(x.suffix(2)) == [0.25, 0.75])
    }

    @Test("refitting leaves moves the leaves site rows reach by n/(m+n) towards their labels, and no other")
    func leafRefit() {
        // One tree on feature 0: x ≤ 0.5 → leaf A (0.9, 0.1), else leaf B (0.2, 0.8).
        let nodes: [RandomForest.Node] = [
            .init(feature: 0, threshold: 0.5, right: 2, leaf: -1),
            .init(feature: -1, threshold: 0, right: -1, leaf: 0),
            .init(feature: -1, threshold: 0, right: -1, leaf: 2),
        ]
        let forest = RandomForest(featureCount: 1, classCount: 2, trees: [nodes], leaves: [0.9, 0.1, 0.2, 0.8])
        // Three site rows reach leaf A, all labelled class 1; none reaches B.
        let (refitted, moved) = forest.refittingLeaves(rows: [0.1, 0.2, 0.3], labels: [1, 1, 1], prior: 5)
        #expect(moved == 1)
        var out = [Float](repeating: 0, count: 2)
        [Float(0.1)].withUnsafeBufferPointer { refitted.probabilities($0, into: &out) }
        // (5·0.9 + 0) / 8 and (5·0.1 + 3) / 8, quantized to 1/255.
        #expect(abs(out[0] - 4.5 / 8) < 0.005 && abs(out[1] - 3.5 / 8) < 0.005, "\(out)")
        [Float(0.9)].withUnsafeBufferPointer { refitted.probabilities($0, into: &out) }
        #expect(abs(out[0] - 0.2) < 0.005 && abs(out[1] - 0.8) < 0.005, "leaf B untouched: \(out)")
        #expect(refitted.flat == forest.flat, "the trees are the same")
    }

    @Test("an ensemble with a forest survives save → load with identical answers")
    func ensembleRoundTrip() throws {
        var builder = ModelBuilder()
        builder.modelType = .ensemble
        builder.linearTrainer.epochs = 10
        builder.forestTrainer.trees = 8
        let model = builder.build(examples: try Fixtures.radlex() + Fixtures.handWritten, taxonomy: Fixtures.taxonomy)
        #expect(model.forest?.treeCount == 8)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("forest-\(UUID().uuidString).bpmodel")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let loaded = try BodyPartModel.load(from: url, taxonomy: Fixtures.taxonomy)
        #expect(loaded.forest?.treeCount == 8 && loaded.linearShare == model.linearShare)
        try loaded.save(to: url)
        let again = try BodyPartModel.load(from: url, taxonomy: Fixtures.taxonomy)
        for text in ["CT CHEST W CONTRAST", "MR BRAIN WO", "XR KNEE 3 VIEWS", "US PELVIS"] {
            let q = SeriesMetadata(attributes: ["StudyDescription": text])
            #expect(again.predict(q) == loaded.predict(q))
            #expect(loaded.predict(q).topClass == model.predict(q).topClass)
        }
        #expect(loaded.predict(SeriesMetadata(attributes: ["StudyDescription": "CT CHEST W CONTRAST"])).topClass == "CHEST")
    }

    @Test("confidence sums equivalent classes (HEAD with BRAIN)")
    func equivalence() {
        let groups = [[0, 1], [1, 0], [2]]
        let (best, confidence) = Predictor.decide([0.35, 0.3, 0.35], groups: groups)
        #expect(best == 0 && abs(confidence - 0.65) < 1e-6)
    }
}
