import Anatomy
import Foundation
import Testing
@testable import Classifier

/// Fine-tuning mechanics on real data: the shipped model and the header text of the labelled
/// series of `shared/data/dicom-dev/labels.csv` (used here to test the mechanics only; the
/// shipped model is never changed by it). Groups are the CSV's `source` repositories, so a
/// validation split holds whole sources the fine-tuning never saw.
@Suite("Fine-tuning", .serialized)
struct FineTuneTests {
    static let base: BodyPartModel = try! BodyPartModel.load(
        from: Fixtures.root.appendingPathComponent("Rules/model/default.bpmodel"), taxonomy: Fixtures.taxonomy)

    static func devExamples() throws -> [TrainingExample] {
        try LabelsCSV.examples(Fixtures.sharedData.appendingPathComponent("dicom-dev/labels.csv")).map { e in
            var e = e
            if let term = e.label == "UNKNOWN" ? "UNKNOWN" : Fixtures.taxonomy.normalize(e.label).term { e.label = term }
            return e
        }
    }

    /// The same series with their labels moved one place along (seeded shuffle, no label kept in
    /// place unless neighbours share it).
    static func shuffled(_ examples: [TrainingExample]) -> [TrainingExample] {
        var rng = SplitMix(seed: 99)
        let labels = examples.map(\.label).shuffled(using: &rng)
        return zip(examples, labels.dropFirst() + labels.prefix(1)).map { e, label in
            var e = e
            e.label = label
            return e
        }
    }

    @Test("the linear part moves from the base weights, the forest is kept, the gate runs on the grouped validation split")
    func mechanics() throws {
        let examples = try Self.devExamples()
        let result = FineTuner().fineTune(base: Self.base, examples: examples, taxonomy: Fixtures.taxonomy, sources: "dicom-dev test")
        let trainGroups = Set(result.training.map(\.group)), validationGroups = Set(result.validation.map(\.group))
        #expect(trainGroups.isDisjoint(with: validationGroups), "a source on both sides of the split")
        #expect(result.training.count > 60 && result.validation.count >= 20)
        #expect(!result.training.contains { $0.label == "UNKNOWN" }, "UNKNOWN is not a class to train on")
        let changed = zip(result.model.linear.weights, Self.base.linear.weights).filter { abs($0 - $1) > 1e-6 }.count
        #expect(changed > 1000, "only \(changed) weights changed")
        #expect(result.model.forest?.flat == Self.base.forest?.flat, "the trees are kept")
        if Self.base.forest != nil {
            #expect(result.model.forest?.leaves != Self.base.forest?.leaves, "their leaves learnt the site")
            #expect(result.model.info["fineTuneSettings"]?.contains("forest leaves re-estimated (prior 5 series;") == true)
        } else {
            // The shipped model is linear since it is trained on the trusted labels (docs/classifier.md).
            #expect(result.model.forest == nil)
            #expect(result.model.info["fineTuneSettings"]?.contains("forest kept") == true)
        }
        var keep = FineTuner()
        keep.leafPrior = 0
        let kept = keep.fineTune(base: Self.base, examples: examples, taxonomy: Fixtures.taxonomy, sources: "dicom-dev test")
        #expect(kept.model.forest?.leaves == Self.base.forest?.leaves, "leaf prior 0 keeps the forest")
        #expect(result.model.threshold == Self.base.threshold && result.model.temperature == Self.base.temperature,
                "thresholds are kept below \(FineTuner().minCalibrationSeries) validation series")
        // The gate compared both models on the same validation series, as-is and hidden.
        let labelled = result.validation.filter { $0.label != "UNKNOWN" }.count
        #expect(result.base.map(\.name) == ["validation as-is", "validation hidden"])
        #expect(result.base.allSatisfy { $0.labelled == labelled } && result.new.allSatisfy { $0.labelled == labelled })
        #expect(result.verdict.accepted == result.verdict.refusals.isEmpty)
        #expect(result.verdict.accepted || !result.verdict.refusals.isEmpty)
        // The linear part learnt the site: its probability of the label rises on the training
        // series the base model was not already sure of (≥ 0.95 cannot rise by much, and int8
        // quantization moves it either way).
        var before = Self.base.makePredictor(), after = result.model.makePredictor()
        var rises = 0, unsure = 0
        for e in result.training {
            let k = Self.base.classes.firstIndex(of: e.label)!
            let p0 = before.linearProbabilities(e.metadata)[k]
            guard p0 < 0.95 else { continue }
            unsure += 1
            if after.linearProbabilities(e.metadata)[k] > p0 { rises += 1 }
        }
        #expect(unsure > 30 && rises * 10 > unsure * 8, "the label's probability rose on only \(rises) of \(unsure) unsure training series")
        // Lineage.
        let info = result.model.info
        #expect(info["baseModel"] == Self.base.modelID)
        #expect(info["lineage"] == "\(Self.base.modelID) > \(result.model.modelID)")
        #expect(result.model.modelID != Self.base.modelID && result.model.modelID.hasPrefix("bp-meta-"))
        for key in ["fineTuned", "fineTuneSources", "fineTuneSplit", "fineTuneSettings", "fineTuneCalibration",
                    "fineTuneValidationBase", "fineTuneValidationNew", "fineTuneGate", "fineTuneLabelCheck"] {
            #expect(info[key]?.isEmpty == false, "info[\(key)]")
        }
        #expect(info["fineTuneSources"] == "dicom-dev test")
        #expect(info["trained"] == Self.base.info["trained"], "the base model's own info is kept")
    }

    @Test("training on shuffled labels is refused by the gate (validation series and reference examples)")
    func shuffledTrainingRefused() throws {
        let examples = try Self.devExamples()
        let (train, validation) = ModelBuilder.splitByGroup(examples, share: 0.3, seed: 7)
        var tuner = FineTuner()
        tuner.maxLabelDisagreement = 1  // the label check off: the gate alone must see the harm
        let result = tuner.fineTune(base: Self.base, examples: Self.shuffled(train), validation: validation,
                                    taxonomy: Fixtures.taxonomy, sources: "shuffled")
        #expect(!result.verdict.accepted, "accepted: \(result.verdict.gains)")
        // The harm is seen on the validation series or on the taxonomy's reference examples
        // (model d2db0c68: the validation series see no gain, the reference examples lose 66).
        #expect(result.verdict.refusals.contains {
            $0.contains("correct answers") || $0.contains("wrong answers") || $0.contains("reference examples correct")
        }, "\(result.verdict.refusals)")
        // The same series with their own labels are not harmed that way.
        let honest = tuner.fineTune(base: Self.base, examples: train, validation: validation, taxonomy: Fixtures.taxonomy, sources: "")
        let correct = { (r: EvaluationReport) in Int((r.accuracyAll * Double(r.labelled)).rounded()) }
        #expect(zip(honest.new, result.new).allSatisfy { correct($0) >= correct($1) }
                    && zip(honest.new, result.new).contains { correct($0) > correct($1) },
                "honest \(honest.new.map(FineTuner.figures)) shuffled \(result.new.map(FineTuner.figures))")
    }

    @Test("labels that contradict the base model's answers are refused before training")
    func labelCheck() throws {
        let examples = try Self.devExamples()
        let refused = FineTuner().fineTune(base: Self.base, examples: Self.shuffled(examples), taxonomy: Fixtures.taxonomy, sources: "")
        #expect(!refused.verdict.accepted)
        #expect(refused.verdict.refusals.first?.contains("the labels contradict") == true, "\(refused.verdict.refusals)")
        #expect(refused.new.isEmpty, "refused before training")
        let check = FineTuner().labelCheck(base: Self.base, examples: examples, taxonomy: Fixtures.taxonomy)
        #expect(check.answered > 30 && check.refusal == nil, "\(check.disagreements)")
        // A refinement (ABDOMEN answered, ABDOMENPELVIS labelled) is not a contradiction; BRAIN for CHEST is.
        let candidates = [["StudyDescription": "CT CHEST W CONTRAST", "SeriesDescription": "AXIAL 5MM", "Modality": "CT"],
                          ["StudyDescription": "CT CHEST W CONTRAST", "SeriesDescription": "CHEST 5MM", "Modality": "CT"],
                          ["StudyDescription": "CT THORAX", "SeriesDescription": "LUNG 1.25MM", "Modality": "CT"],
                          ["StudyDescription": "MAMMOGRAPHY SCREENING", "SeriesDescription": "L CC", "Modality": "MG"]]
        // The first of these the base model answers (the shipped model's thresholds decide which).
        let meta = try #require(candidates.map { SeriesMetadata(attributes: $0) }.first { Self.base.predict($0).bodyPart != nil })
        let answer = try #require(Self.base.predict(meta).bodyPart)
        var tuner = FineTuner()
        tuner.minDisagreements = 1
        tuner.maxLabelDisagreement = 0
        let wrong = TrainingExample(metadata: meta, label: "BRAIN", group: "g", seriesInstanceUID: "1.2.3")
        #expect(tuner.labelCheck(base: Self.base, examples: [wrong], taxonomy: Fixtures.taxonomy).refusal != nil, "answer \(answer)")
        let same = TrainingExample(metadata: meta, label: answer, group: "g", seriesInstanceUID: "1.2.3")
        #expect(tuner.labelCheck(base: Self.base, examples: [same], taxonomy: Fixtures.taxonomy).refusal == nil)
    }

    @Test("too few validation series: refused, nothing trained")
    func tooFew() throws {
        let examples = Array(try Self.devExamples().prefix(30))
        let result = FineTuner().fineTune(base: Self.base, examples: examples, taxonomy: Fixtures.taxonomy, sources: "")
        #expect(!result.verdict.accepted)
        #expect(result.verdict.refusals.first?.contains("at least 20 are needed") == true, "\(result.verdict.refusals)")
        #expect(result.model.modelID == Self.base.modelID)
    }

    @Test("the anchor keeps the weights nearer the base model")
    func anchor() throws {
        let examples = try Self.devExamples().filter { Self.base.classes.contains($0.label) }
        func distance(_ anchor: Float) -> Float {
            var trainer = LinearTrainer()
            trainer.epochs = 4
            trainer.learningRate = 0.5
            let w = trainer.fineTune(Self.base.linear, examples: examples, anchor: anchor, classes: Self.base.classes,
                                     hashing: Self.base.hashing, taxonomy: Fixtures.taxonomy)
            return zip(w.weights, Self.base.linear.weights).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let (free, held) = (distance(0), distance(0.5))
        #expect(held < 0.8 * free, "anchored \(held), free \(free)")
    }
}

@Suite("Fine-tuning gate")
struct FineTuneGateTests {
    /// A report of `answers` (nil: abstained) against `labels`.
    static func report(_ name: String, labels: [String], answers: [String?]) -> EvaluationReport {
        EvaluationReport(name: name, labels: labels, predictions: answers.map {
            Prediction(bodyPart: $0, topClass: $0 ?? "CHEST", confidence: $0 == nil ? 0.4 : 0.99, abstained: $0 == nil,
                       alternatives: [], evidence: [], modelID: "m")
        }, taxonomy: Fixtures.taxonomy)
    }

    static let labels = Array(repeating: "CHEST", count: 10) + Array(repeating: "BRAIN", count: 10) + ["UNKNOWN"]

    @Test("more correct, no more wrong: accepted; a wrong answer more, a class losing a series, an UNKNOWN answered: refused")
    func verdicts() {
        let base: [String?] = Array(repeating: "CHEST", count: 8) + [nil, nil] + Array(repeating: "BRAIN", count: 5) + Array(repeating: nil, count: 5) + [nil]
        let b = [Self.report("hidden", labels: Self.labels, answers: base)]
        var better = base
        better[8] = "CHEST"
        let gate = FineTuneGate()
        let accepted = gate.judge(base: b, new: [Self.report("hidden", labels: Self.labels, answers: better)])
        #expect(accepted.accepted && accepted.gains == ["hidden: 14 correct answers, base model 13"])

        var wrong = better
        wrong[15] = "CHEST"
        let refusedWrong = gate.judge(base: b, new: [Self.report("hidden", labels: Self.labels, answers: wrong)])
        #expect(!refusedWrong.accepted && refusedWrong.refusals == ["hidden: 1 wrong answers of 20 validation series, base model 0"])

        // BRAIN loses one series (10 points), CHEST gains two: overall better, but a class with
        // 10 series lost more than a point.
        var shifted = better
        shifted[9] = "CHEST"
        shifted[10] = nil
        let refusedClass = gate.judge(base: b, new: [Self.report("hidden", labels: Self.labels, answers: shifted)])
        #expect(!refusedClass.accepted)
        #expect(refusedClass.refusals.count == 1 && refusedClass.refusals[0].contains("class BRAIN (10 series) accuracy 40.0%, base model 50.0%"),
                "\(refusedClass.refusals)")
        var lenient = gate
        lenient.minClassSeries = 11
        #expect(lenient.judge(base: b, new: [Self.report("hidden", labels: Self.labels, answers: shifted)]).accepted)

        var unknown = better
        unknown[20] = "HEAD"
        let refusedUnknown = gate.judge(base: b, new: [Self.report("hidden", labels: Self.labels, answers: unknown)])
        #expect(!refusedUnknown.accepted && refusedUnknown.refusals[0].contains("UNKNOWN-labelled"))

        let same = gate.judge(base: b, new: b)
        #expect(!same.accepted && same.refusals[0].hasPrefix("no gain"))
        var equalOK = gate
        equalOK.requireGain = false
        #expect(equalOK.judge(base: b, new: b).accepted)
    }

    @Test("every condition must pass")
    func everyCondition() {
        let base: [String?] = Array(repeating: "CHEST", count: 10) + Array(repeating: nil, count: 11)
        var better = base
        better[10] = "BRAIN"
        var worse = base
        worse[0] = nil
        let b = [Self.report("as-is", labels: Self.labels, answers: base), Self.report("hidden", labels: Self.labels, answers: base)]
        let n = [Self.report("as-is", labels: Self.labels, answers: worse), Self.report("hidden", labels: Self.labels, answers: better)]
        let verdict = FineTuneGate().judge(base: b, new: n)
        #expect(!verdict.accepted && verdict.refusals.first?.hasPrefix("as-is: 9 correct answers") == true, "\(verdict.refusals)")
    }
}

@Suite("Site labels")
struct SiteLabelTests {
    @Test("a labels CSV: body_part normalized through the taxonomy, UNKNOWN kept, unknown labels reported")
    func table() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("series_instance_uid,body_part\n1.1,L_SPINE\n1.2,lung\n1.3,UNKNOWN\n1.4,spleeny\n1.5,CHEST\n1.5,HEAD\n,CHEST\n".utf8)
            .write(to: url)
        let t = try SiteLabelTable.read(url, taxonomy: Fixtures.taxonomy)
        #expect(t.labels == ["1.1": "LSPINE", "1.2": "CHEST", "1.3": "UNKNOWN", "1.5": "HEAD"])
        #expect(t.unrecognised == ["spleeny": 1] && t.rows == 6 && t.conflicting == ["1.5"])

        let dev = try SiteLabelTable.read(Fixtures.sharedData.appendingPathComponent("dicom-dev/labels.csv"), taxonomy: Fixtures.taxonomy)
        // 205 rows, 6 of them without a SeriesInstanceUID (nothing to join on).
        #expect(dev.rows == 199 && dev.unrecognised.isEmpty, "the label column of dicom-dev's labels.csv")
        #expect(dev.labels.values.filter { $0 == "UNKNOWN" }.count == 28)

        try Data("uid,part\n1,CHEST\n".utf8).write(to: url)
        #expect(throws: SiteLabelTable.ReadError.self) { try SiteLabelTable.read(url, taxonomy: Fixtures.taxonomy) }
    }

    @Test("a series labelled by several sources: review over CSV over pixel teacher")
    func merge() {
        func e(_ uid: String, _ label: String, _ source: LabelSource) -> SiteExample {
            SiteExample(example: TrainingExample(metadata: SeriesMetadata(attributes: [:]), label: label, group: "s", seriesInstanceUID: uid),
                        source: source)
        }
        let merged = SiteLabels.merge([e("1", "CHEST", .pixel), e("1", "ABDOMEN", .csv), e("2", "HEAD", .csv), e("1", "LIVER", .review),
                                       e("2", "HEAD", .pixel), e("3", "PELVIS", .pixel)])
        #expect(merged.examples.map(\.seriesInstanceUID) == ["1", "2", "3"])
        #expect(merged.examples.map(\.label) == ["LIVER", "HEAD", "PELVIS"])
        #expect(merged.perSource == [.review: 1, .csv: 1, .pixel: 1])
        #expect(merged.overruled == ["1: pixel CHEST overruled by csv ABDOMEN", "1: csv ABDOMEN overruled by review LIVER"])
        #expect(merged.agreeing == 1)
    }
}
