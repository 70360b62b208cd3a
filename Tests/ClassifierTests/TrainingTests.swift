import Foundation
import Testing
@testable import Classifier

@Suite("Training")
struct TrainingTests {
    @Test("a model trained on part of RadLex beats the rule baseline on the held-out part")
    func beatsRules() throws {
        let all = try Fixtures.radlex() + Fixtures.handWritten
        let test = all.filter { $0.group == "g0" || $0.group == "g1" }
        let train = all.filter { $0.group != "g0" && $0.group != "g1" }
        var builder = ModelBuilder()
        builder.calibrationShare = 0.2
        builder.maxWrongRate = 0.05
        builder.linearTrainer.epochs = 10
        let model = builder.build(examples: train, taxonomy: Fixtures.taxonomy)
        let known = test.filter { model.classes.contains($0.label) }
        let reports = Evaluator(taxonomy: Fixtures.taxonomy).evaluate(model: model, examples: known, conditions: [.hidden])
        let (m, r) = (reports[0], reports[1])
        #expect(known.count > 100)
        #expect(m.accuracyAnswered > r.accuracyAnswered)
        #expect(m.wrongRate < r.wrongRate)
    }

    @Test("BPE augmentation: the model does not copy a corrupted BodyPartExamined")
    func corruptionRobust() throws {
        var builder = ModelBuilder()
        builder.linearTrainer.epochs = 10
        let model = builder.build(examples: try Fixtures.radlex() + Fixtures.handWritten, taxonomy: Fixtures.taxonomy)
        let p = model.predict(SeriesMetadata(attributes: ["StudyDescription": "CT Chest wo", "Modality": "CT",
                                                          "BodyPartExamined": "KNEE"]))
        #expect(p.topClass == "CHEST")
    }

    @Test("shared rule evidence carries what other classes teach to a class the data names only elsewhere")
    func sharedEvidenceTransfers() throws {
        // Many series per class whose series description names the region; ELBOW only three
        // times, described by nothing that names it.
        let named = ["CHEST": ["CHEST", "THORAX", "LUNG"], "ABDOMEN": ["ABDOMEN", "ABD", "LIVER"],
                     "HEAD": ["HEAD", "SKULL", "CRANE"], "PELVIS": ["PELVIS", "BECKEN", "BACINO"], "KNEE": ["KNEE", "GENOU", "KNIE"]]
        var examples: [TrainingExample] = []
        for (label, words) in named.sorted(by: { $0.key < $1.key }) {
            for i in 0..<60 {
                let meta = SeriesMetadata(attributes: ["SeriesDescription": "\(words[i % 3]) SERIES \(i % 7)", "Modality": i % 2 == 0 ? "CT" : "MR"])
                examples.append(TrainingExample(metadata: meta, label: label, group: "g\(i % 10)"))
            }
        }
        for i in 0..<3 {
            examples.append(TrainingExample(metadata: SeriesMetadata(attributes: ["StudyDescription": "ORTHO CLINIC \(i)", "Modality": "DX"]),
                                            label: "ELBOW", group: "g\(i + 1)"))
        }
        func train(shared: Bool) -> BodyPartModel {
            var builder = ModelBuilder()
            builder.modelType = .linear
            builder.taxonomyExamples = false
            builder.calibrationShare = 0.1
            builder.linearTrainer.epochs = 8
            builder.linearTrainer.sharedEvidence = shared
            return builder.build(examples: examples, taxonomy: Fixtures.taxonomy)
        }
        let query = SeriesMetadata(attributes: ["SeriesDescription": "ELBOW 2 VIEWS", "Modality": "DX"])
        let (with, without) = (train(shared: true), train(shared: false))
        #expect(with.classes.contains("ELBOW"))
        #expect(with.predict(query).topClass == "ELBOW", "\(with.predict(query))")
        #expect(without.predict(query).topClass != "ELBOW")
        // Where the words themselves were learnt, the shared evidence agrees.
        #expect(with.predict(SeriesMetadata(attributes: ["SeriesDescription": "THORAX SERIES 1", "Modality": "CT"])).topClass == "CHEST")
    }

    @Test("no IDC collection holding an evaluation set's series is trained on")
    func excludedCollections() throws {
        let header = "collection_id\tseries_instance_uid\tstudy_instance_uid\tmodality\tstudy_description\tseries_description\tbody_part_examined"
        let rows = [
            "c1\t1.1\tS1\tCT\tCT CHEST\tLUNG 1MM\tCHEST",
            "c1\t1.2\tS1\tCT\tCT CHEST\tMEDIASTINUM\tCHEST",   // same study as the excluded 1.1
            "c1\t2.1\tS2\tCT\tCT CHEST\tLUNG 5MM\tCHEST",      // same collection
            "c2\t3.1\tS3\tMR\tMR BRAIN\tT1\tBRAIN",
            "c2\t3.2\tS3\tMR\tMR BRAIN\tT2\t",                 // unlabelled
            "c3\t4.1\tS4\tCT\tCT ABD\tABD 5MM\tABDOMEN",
        ]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("idc-\(UUID().uuidString).tsv")
        defer { try? FileManager.default.removeItem(at: url) }
        try ([header] + rows).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        let all = try TrainingData.idc(url, taxonomy: Fixtures.taxonomy)
        #expect(all.labelled.count == 5 && all.unlabelled == 1 && all.excluded == 0 && all.unlabelledExamples.isEmpty)
        var options = TrainingData.IDCOptions()
        options.keepUnlabelled = true
        options.excludedSeries = ["1.1", "9.9"]
        let kept = try TrainingData.idc(url, taxonomy: Fixtures.taxonomy, options: options)
        #expect(kept.excluded == 3 && kept.excludedCollections == ["c1"])
        #expect(kept.labelled.map(\.seriesInstanceUID).sorted() == ["3.1", "4.1"])
        #expect(kept.unlabelledExamples.map(\.seriesInstanceUID) == ["3.2"] && kept.unlabelledExamples[0].label.isEmpty)
    }

    @Test("cross-fitted calibration predicts every series once, out of fold, and trains the final model on all of them")
    func crossCalibration() throws {
        let all = try Fixtures.radlex() + Fixtures.handWritten
        var builder = ModelBuilder()
        builder.modelType = .linear
        builder.linearTrainer.epochs = 3
        builder.calibrationFolds = 3
        var messages: [String] = []
        let model = builder.build(examples: all, taxonomy: Fixtures.taxonomy) { messages.append($0) }
        #expect(model.info["calibrationExamples"] == "\(all.count) out of fold (3 folds by collection)")
        #expect(messages.filter { $0.hasPrefix("calibration fold ") }.count == 3)
        // Three folds need three groups at least: the fixtures have them.
        #expect(Set(all.map(\.group)).count >= 3)
        let taxonomyExamples = TrainingData.taxonomyExamples(Fixtures.taxonomy).count
        let cleaned = all.filter { !ModelBuilder.conflictsWithRules($0, taxonomy: Fixtures.taxonomy) }.count
        #expect(model.info["trainedExamples"] == String(cleaned + taxonomyExamples))
        #expect(model.threshold >= 0.3 && model.threshold <= 1 && model.temperature > 0)
        // The same builder with a held-out share trains on fewer series.
        builder.calibrationFolds = 0
        let holdout = builder.build(examples: all, taxonomy: Fixtures.taxonomy)
        #expect(Int(holdout.info["trainedExamples"] ?? "") ?? 0 < cleaned + taxonomyExamples)
    }
}
