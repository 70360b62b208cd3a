import Foundation
import Testing
@testable import Classifier

@Suite("Model file")
struct ModelFileTests {
    static let queries = ["CT CHEST W CONTRAST", "MR BRAIN WO", "XR KNEE 3 VIEWS", "CT ABD PELVIS W", "MAMMO SCREENING"]
        .map { SeriesMetadata(attributes: ["StudyDescription": $0]) }

    @Test("save → load gives the same predictions (within int8 quantization)")
    func roundTrip() throws {
        var builder = ModelBuilder()
        builder.linearTrainer.epochs = 3
        let model = builder.build(examples: try Fixtures.radlex(), taxonomy: Fixtures.taxonomy)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).bpmodel")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let loaded = try BodyPartModel.load(from: url, taxonomy: Fixtures.taxonomy)
        #expect(loaded.modelID == model.modelID && loaded.modelID.hasPrefix("bp-meta-"))
        #expect(loaded.classes == model.classes && loaded.threshold == model.threshold)
        for q in Self.queries {
            let (a, b) = (model.predict(q), loaded.predict(q))
            #expect(a.topClass == b.topClass)
            #expect(abs(a.confidence - b.confidence) < 0.05)
        }
        // A second round trip is exact.
        try loaded.save(to: url)
        let again = try BodyPartModel.load(from: url, taxonomy: Fixtures.taxonomy)
        for q in Self.queries { #expect(again.predict(q) == loaded.predict(q)) }
    }

    @Test("a file that is not a model gives one clear error")
    func badMagic() {
        #expect(throws: ModelFileError.self) { try ModelFile.decode(Data("hello world, not a model".utf8), path: "x") }
    }

    @Test("format version 1 files still load (no agreement threshold); unknown versions fail clearly")
    func versions() throws {
        var builder = ModelBuilder()
        builder.linearTrainer.epochs = 1
        builder.modelType = .linear
        var model = builder.build(examples: try Fixtures.radlex(), taxonomy: Fixtures.taxonomy)
        model.agreementThreshold = 0.6
        var data = ModelFile.encode(model)
        #expect(try ModelFile.decode(data).agreementThreshold == 0.6)
        data[8] = 1
        let v1 = try ModelFile.decode(data)
        #expect(v1.agreementThreshold == nil && v1.threshold == model.threshold)
        data[8] = 3
        #expect {
            try ModelFile.decode(data, path: "m.bpmodel")
        } throws: { error in
            "\(error)".contains("m.bpmodel: model format version 3 is not supported")
        }
    }

    @Test("agreement needs an unambiguous rule match of the descriptions")
    func ruleAgreement() throws {
        let model = try BodyPartModel.load(from: Fixtures.root.appendingPathComponent("Rules/model/default.bpmodel"), taxonomy: Fixtures.taxonomy)
        var predictor = model.makePredictor()
        let tax = Fixtures.taxonomy
        func ruleClass(_ a: [String: String]) -> String? {
            _ = predictor.predict(SeriesMetadata(attributes: a))
            let r = predictor.unambiguousRuleClass()
            return r >= 0 ? tax.classes[r] : nil
        }
        #expect(ruleClass(["SeriesDescription": "CT CHEST W CONTRAST"]) == "CHEST")
        // A composite and its parts: unambiguous.
        #expect(ruleClass(["SeriesDescription": "CHEST 2.5 MM/ABD.PEL 2.5MM"]) == "CHESTABDPELVIS")
        // The study names a broader region than the series, or another one: ambiguous.
        #expect(ruleClass(["SeriesDescription": "ABD CORONAL", "StudyDescription": "CT ABD AND PELVIS WITH IV CONT"]) == nil)
        #expect(ruleClass(["SeriesDescription": "CT CHEST", "StudyDescription": "MR KNEE"]) == nil)
        #expect(ruleClass(["BodyPartExamined": "CHEST"]) == nil)
        #expect(model.agreementThreshold.map { $0 < model.threshold } ?? false)
    }

    @Test("the shipped default model loads fast and predicts known descriptions")
    func shipped() throws {
        let start = Date()
        let model = try BodyPartModel.load(from: Fixtures.root.appendingPathComponent("Rules/model/default.bpmodel"), taxonomy: Fixtures.taxonomy)
        #expect(Date().timeIntervalSince(start) < 1.0)
        let tax = Fixtures.taxonomy
        let expected = [("CT CHEST W CONTRAST", "CHEST"), ("MR BRAIN WO CONTRAST", "BRAIN"),
                        ("MAMMO SCREENING BILATERAL", "BREAST"), ("CT ABDOMEN PELVIS W CONTRAST", "ABDOMENPELVIS")]
        for (text, label) in expected {
            let p = model.predict(SeriesMetadata(attributes: ["StudyDescription": text]))
            #expect(tax.areEquivalent(p.topClass, label) || tax.contains(label, p.topClass), "\(text) → \(p.topClass)")
            #expect(p.alternatives.count == 2 && !p.evidence.isEmpty)
        }
    }
}
