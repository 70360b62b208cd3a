import Anatomy
import Foundation
import Testing
@testable import Classifier

/// The trusted labels reader: one example per kind, reserved collections never read.
@Suite("TrustedLabels")
struct TrustedLabelsTests {
    static let csv = """
        id,collection_id,modality,manufacturer,study_description,series_description,bpe_stored,study_key,series_key,bpe_key,n_series,sop_class_uid,label,text,note
        t1,open_a,CT,GE,CT CHEST,LUNG 1MM,CHEST,CT CHEST,LUNG #MM,CHEST,40,1.2.840.10008.5.1.4.1.1.2,CHEST,yes,
        t2,secret_b,MR,GE,MR BRAIN,AX T2,HEAD,MR BRAIN,AX T#,HEAD,7,1.2.840.10008.5.1.4.1.1.4,BRAIN,yes,
        t3,open_a,CT,GE,QA,Thorax ROUTINE,CHEST,QA,THORAX ROUTINE,CHEST,2,1.2.840.10008.5.1.4.1.1.2,PHANTOM,no,
        t4,open_c,CT,GE,,,,,,,3,1.2.840.10008.5.1.4.1.1.2,UNKNOWN,no,
        """

    func folder(reserved: String?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trusted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.csv.write(to: dir.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        if let reserved { try reserved.write(to: dir.appendingPathComponent("reserved-collections.txt"), atomically: true, encoding: .utf8) }
        return dir
    }

    @Test("kinds of reserved collections are never read; phantoms whose header names a region are set apart")
    func reserved() throws {
        let dir = try folder(reserved: "# kept for evaluation\nsecret_b\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try TrustedLabels.read(dir.appendingPathComponent("labels.csv"), taxonomy: Fixtures.taxonomy)
        #expect(t.examples.map(\.seriesInstanceUID) == ["t1", "t4"])
        #expect(!t.examples.contains { $0.group == "secret_b" })
        #expect(t.reservedKinds == 1)
        #expect(t.hiddenPhantoms.map(\.seriesInstanceUID) == ["t3"])
        #expect(t.examples[0].label == "CHEST" && t.examples[0].seriesCount == 40 && t.examples[0].textSupport == "yes")
        #expect(t.examples[0].metadata["BodyPartExamined"] == "CHEST")
        #expect(t.examples[1].label == "UNKNOWN")
    }

    @Test("without the reserved list beside the labels nothing is read")
    func refusesWithoutReservedList() throws {
        let dir = try folder(reserved: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: TrustedLabels.ReadError.self) {
            _ = try TrustedLabels.read(dir.appendingPathComponent("labels.csv"), taxonomy: Fixtures.taxonomy)
        }
    }

    @Test("excluded collections (an evaluation set's) are left out too")
    func excluded() throws {
        let dir = try folder(reserved: "secret_b\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = TrustedLabels.Options()
        options.excludedCollections = ["open_c"]
        let t = try TrustedLabels.read(dir.appendingPathComponent("labels.csv"), taxonomy: Fixtures.taxonomy, options: options)
        #expect(t.examples.map(\.seriesInstanceUID) == ["t1"])
        #expect(t.excludedKinds == 1)
    }
}

/// Training on a small fixed sample of the trusted labels.
@Suite("TrustedTraining")
struct TrustedTrainingTests {
    @Test("a model trained on a fixed sample of trusted labels beats the rule baseline on held-out collections")
    func beatsRules() throws {
        let url = Fixtures.sharedData.appendingPathComponent("idc-labels/labels.csv")
        let all = try TrustedLabels.read(url, taxonomy: Fixtures.taxonomy).examples
            .filter { SplitMix.hash($0.seriesInstanceUID) % 3 == 0 }
        let heldOut = { (e: TrainingExample) in SplitMix.hash(e.group) % 4 == 0 }
        let train = all.filter { !heldOut($0) }, test = all.filter(heldOut)
        var builder = ModelBuilder()
        builder.modelType = .linear
        builder.dropRuleConflicts = false
        builder.trustedCalibration = false
        builder.calibrationShare = 0.25
        builder.maxWrongRate = 0.02
        builder.linearTrainer.epochs = 5
        let model = builder.build(examples: train, taxonomy: Fixtures.taxonomy)
        let reports = Evaluator(taxonomy: Fixtures.taxonomy).evaluate(model: model, examples: test, conditions: [.hidden])
        let (m, r) = (reports[0], reports[1])
        #expect(test.count > 100)
        #expect(Set(test.map(\.group)).isDisjoint(with: Set(train.map(\.group))))
        #expect(m.accuracyAnswered > r.accuracyAnswered)
        #expect(m.wrongRate < r.wrongRate)
    }
}
