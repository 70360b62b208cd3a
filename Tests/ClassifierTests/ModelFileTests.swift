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

    /// A small linear model (one epoch on RadLex) with class-shared evidence weights.
    static func sharedEvidenceModel() throws -> BodyPartModel {
        var builder = ModelBuilder()
        builder.linearTrainer.epochs = 1
        builder.linearTrainer.sharedEvidence = true
        builder.modelType = .linear
        return builder.build(examples: try Fixtures.radlex(), taxonomy: Fixtures.taxonomy)
    }

    @Test("format version 1 and 2 files still load (no agreement threshold, no shared evidence); unknown versions fail clearly")
    func versions() throws {
        var model = try Self.sharedEvidenceModel()
        model.agreementThreshold = 0.6
        #expect(model.linear.shared.count == SharedEvidence.count && model.linear.shared.contains { $0 != 0 })
        var data = ModelFile.encode(model)
        let v3 = try ModelFile.decode(data)
        #expect(v3.agreementThreshold == 0.6 && v3.linear.shared == model.linear.shared)
        data[8] = 2
        let v2 = try ModelFile.decode(data)
        #expect(v2.agreementThreshold == 0.6 && v2.linear.shared.isEmpty)
        data[8] = 1
        let v1 = try ModelFile.decode(data)
        #expect(v1.agreementThreshold == nil && v1.threshold == model.threshold)
        data[8] = 8
        #expect {
            try ModelFile.decode(data, path: "m.bpmodel")
        } throws: { error in
            "\(error)".contains("m.bpmodel: model format version 8 is not supported")
        }
    }

    @Test("the part threshold and a parts-only stored term survive a round trip (format 6); a format 5 file has neither")
    func partThresholdVersion() throws {
        var model = try Self.sharedEvidenceModel()
        model.partThreshold = 0.66
        model.storedTerm = StoredTermEvidence(floor: 0.05, confidence: 0.98, partsOnly: true)
        var data = ModelFile.encode(model)
        let v6 = try ModelFile.decode(data)
        #expect(v6.partThreshold == 0.66 && v6.storedTerm?.partsOnly == true)
        data[8] = 5
        let v5 = try ModelFile.decode(data)
        #expect(v5.partThreshold == nil)
    }

    @Test("the trunk thresholds' scope survives a round trip (format 7); a format 6 file's thresholds apply where any description names a region")
    func trunkScopeVersion() throws {
        var model = try Self.sharedEvidenceModel()
        model.trunkThresholds = ["CHEST": 0.8]
        model.trunkScope = .settled
        var data = ModelFile.encode(model)
        #expect(ModelFile.read(data, 8) == 7)
        let v7 = try ModelFile.decode(data)
        #expect(v7.trunkThresholds == ["CHEST": 0.8] && v7.trunkScope == .settled)
        data[8] = 6
        let v6 = try ModelFile.decode(data)
        #expect(v6.trunkThresholds == ["CHEST": 0.8] && v6.trunkScope == .named)
    }

    @Test("a model whose shared evidence features are not this build's is refused, not misread")
    func sharedEvidenceNames() throws {
        let data = ModelFile.encode(try Self.sharedEvidenceModel())
        // Rename one feature in the JSON header (same length, so the offsets stay right).
        var changed = data
        let header = Int(ModelFile.read(data, 12))
        let json = String(decoding: data.subdata(in: 16..<(16 + header)), as: UTF8.self)
        let renamed = json.replacingOccurrences(of: "BodyPartExamined is it (organ)", with: "BodyPartExamined is it (ORGAN)")
        #expect(renamed != json)
        changed.replaceSubrange(16..<(16 + header), with: Data(renamed.utf8))
        #expect {
            try ModelFile.decode(changed, path: "m.bpmodel")
        } throws: { error in
            "\(error)".contains("shared evidence features are not the ones this build computes")
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
        // Fitted on the trusted labels, the agreement point may equal the main one (no gain below it).
        #expect(model.agreementThreshold.map { $0 <= model.threshold } ?? false)
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
