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
}
