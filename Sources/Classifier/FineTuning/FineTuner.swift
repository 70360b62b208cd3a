import Anatomy
import Foundation

/// Adapts a trained model to one site's labelled series (`bodypart train --site`, `--from-review`,
/// `--teacher pixel`) and judges the result against the model it started from.
///
/// - **Split**: the site examples are split by `group` (the StudyInstanceUID: a study's series
///   never straddle the split) into training and validation parts, seeded, with about
///   `validationShare` of the series in validation (``ModelBuilder/splitByGroup(_:share:seed:)``).
/// - **Linear part**: SGD continues from the base weights (``LinearTrainer/fineTune``) at a lower
///   learning rate, with the same BodyPartExamined augmentation, an L2 pull towards the base
///   weights (`anchor`) and a replay of the taxonomy's own examples, so that classes the site
///   never shows are not forgotten.
/// - **Forest**: the trees are kept (a site's few hundred series are too few to grow trees that
///   would not simply memorise them); their leaves are re-estimated from the site's training
///   series with the old leaf as a prior of `leafPrior` series (``RandomForest/refittingLeaves``),
///   so that the forest's half of the vote follows the site where its series fall.
/// - **Calibration**: the base model's temperature and thresholds are kept unless the validation
///   part holds at least `minCalibrationSeries` labelled series; then it is split again by group,
///   half refits them (``ModelBuilder/calibrate(_:on:taxonomy:progress:)``, site labels taken as
///   trusted) and the other half judges.
/// - **Gate** (``FineTuneGate``) on the judging series under each of `conditions`, plus a
///   forgetting check on the taxonomy's own examples. Nothing is saved here: the caller saves
///   ``FineTuneResult/model`` only when ``FineTuneResult/verdict`` accepts it.
public struct FineTuner: Sendable {
    /// The SGD settings of the continued training (epochs, learning rate, augmentation, seed).
    public var trainer: LinearTrainer
    /// Pull of every update towards the base weights (L2 towards them, per touched row).
    public var anchor: Float = 0.01
    /// Replay the taxonomy's own examples while fine-tuning.
    public var replayTaxonomy = true
    /// Replay draws per epoch, as a multiple of the site's training examples.
    public var replayRatio = 1.0
    /// Share of the site's series (whole groups) held out for validation.
    public var validationShare = 0.3
    /// Seed of the split.
    public var seed: UInt64 = 7
    /// Fewest labelled validation series a verdict needs; with fewer the model is refused.
    public var minValidationSeries = 20
    /// Fewest labelled validation series for refitting temperature and thresholds.
    public var minCalibrationSeries = 400
    /// Largest wrong-answer rate when the thresholds are refitted.
    public var maxWrongRate = 0.01
    /// BodyPartExamined conditions the gate compares under (each must pass).
    public var conditions: [BPECondition] = [.asIs, .hidden]
    /// The acceptance test.
    public var gate = FineTuneGate()
    /// Label check before training: refuse when the labels contradict (``labelCheck``) more than
    /// this share of the base model's answers on the site's series (BodyPartExamined as stored) — and at least
    /// `minDisagreements` of them. The base model's calibrated wrong-answer rate on unseen
    /// collections is 1–4 %; labels that contradict it far more often are more likely wrong
    /// (shuffled columns, another site's UIDs) than the model, and the validation split, cut
    /// from the same labels, could not tell. 1 turns the check off.
    public var maxLabelDisagreement = 0.1
    /// Fewest disagreements that can refuse (a handful of series proves nothing).
    public var minDisagreements = 3
    /// Re-estimate the forest's leaves from the site's training series with this prior weight
    /// (the old leaf counts as this many series; ``RandomForest/refittingLeaves``); 0 keeps the
    /// forest as it is.
    public var leafPrior: Float = 5

    /// Creates a fine-tuner with default settings: 10 epochs from learning rate 0.5 (the full
    /// training makes 6 passes over 40,000 series from 0.8).
    public init() {
        trainer = LinearTrainer()
        trainer.epochs = 10
        trainer.learningRate = 0.5
    }

    /// Fine-tunes `base` on `examples` (labels are classes of the base model or UNKNOWN; `group`
    /// is the split unit). `sources` describes where the labels came from (kept in the lineage).
    /// With `validation`, nothing is split: `examples` are all trained on and `validation` judges.
    public func fineTune(base: BodyPartModel, examples: [TrainingExample], validation given: [TrainingExample]? = nil,
                         taxonomy: Taxonomy, sources: String, date: Date = Date(),
                         progress: (String) -> Void = { _ in }) -> FineTuneResult {
        let classes = Set(base.classes)
        var skipped: [String: Int] = [:]
        func usable(_ list: [TrainingExample]) -> [TrainingExample] {
            list.filter { e in
                if e.label == "UNKNOWN" || classes.contains(e.label) { return true }
                skipped["not a class of the base model: \(e.label)", default: 0] += 1
                return false
            }
        }
        let kept = usable(examples)
        let check = labelCheck(base: base, examples: kept, taxonomy: taxonomy)
        var (train, validation) = given.map { (kept, usable($0)) }
            ?? ModelBuilder.splitByGroup(kept, share: validationShare, seed: seed)
        let unknownTrain = train.filter { $0.label == "UNKNOWN" }.count
        if unknownTrain > 0 { skipped["UNKNOWN (not trained on)", default: 0] += unknownTrain }
        train = train.filter { $0.label != "UNKNOWN" }
        var calibration: [TrainingExample] = []
        let labelledValidation = validation.filter { $0.label != "UNKNOWN" }.count
        if labelledValidation >= minCalibrationSeries {
            (validation, calibration) = ModelBuilder.splitByGroup(validation, share: 0.5, seed: seed ^ 0xCA1)
        }
        var result = FineTuneResult(model: base, verdict: .init(accepted: false, refusals: [], gains: []), training: train,
                                    validation: validation, calibration: calibration, skipped: skipped, base: [], new: [],
                                    referenceBase: nil, referenceNew: nil, lineage: [])
        let judged = validation.filter { $0.label != "UNKNOWN" }.count
        if let refusal = check.refusal {
            result.verdict.refusals.append(refusal)
            return result
        }
        guard judged >= minValidationSeries, !train.isEmpty else {
            result.verdict.refusals.append(train.isEmpty
                ? "no labelled series left for training after the validation split"
                : "the validation split holds \(judged) labelled series; at least \(minValidationSeries) are needed to judge a model "
                    + "(label more series, or raise the validation share)")
            return result
        }
        progress("fine-tuning \(base.modelID) on \(train.count) series, validating on \(validation.count) "
                 + "(\(Set(validation.map(\.group)).count) groups)" + (calibration.isEmpty ? "" : ", recalibrating on \(calibration.count)"))
        let replay = replayTaxonomy ? TrainingData.taxonomyExamples(taxonomy).filter { classes.contains($0.label) } : []
        var model = base
        model.linear = trainer.fineTune(base.linear, examples: train, replay: replay,
                                        replayPerEpoch: Int(replayRatio * Double(train.count)), anchor: anchor,
                                        classes: base.classes, hashing: base.hashing, taxonomy: base.taxonomy,
                                        progress: progress)
        var forestNote = "forest kept"
        if leafPrior > 0, let forest = base.forest {
            // The trees stay; their leaves learn the site's labels. Rows as the forest was trained:
            // BodyPartExamined hidden and as stored, read with the fine-tuned linear part's
            // probabilities (stacking).
            let index = Dictionary(uniqueKeysWithValues: base.classes.enumerated().map { ($1, $0) })
            var predictor = model.makePredictor()
            var rows: [Float] = [], labels: [Int] = []
            for e in train {
                guard let y = index[e.label] else { continue }
                var variants = [e.metadata.withBodyPartExamined(nil)]
                if e.metadata["BodyPartExamined"] != nil { variants.append(e.metadata) }
                for m in variants {
                    rows += predictor.denseFeatures(m, linear: predictor.linearProbabilities(m))
                    labels.append(y)
                }
            }
            let (refitted, moved) = forest.refittingLeaves(rows: rows, labels: labels, prior: leafPrior)
            model.forest = refitted
            forestNote = String(format: "forest leaves re-estimated (prior %.3g series; %d of its leaves reached by %d rows)",
                                Double(leafPrior), moved, labels.count)
        }
        // Judge the weights as they will be stored (int8 per class), not the floats trained.
        if let stored = try? ModelFile.decode(ModelFile.encode(model)) {
            let taxonomy = model.taxonomy
            model = stored
            model.taxonomy = taxonomy
        }
        var calibrationNote = String(format: "kept the base model's temperature %.3f and thresholds %.3f/%@ (validation %d < %d labelled series)",
                                     base.temperature, base.threshold, base.agreementThreshold.map { String(format: "%.3f", $0) } ?? "none",
                                     labelledValidation, minCalibrationSeries)
        if !calibration.isEmpty {
            var builder = ModelBuilder()
            builder.trustedCalibration = false
            builder.maxWrongRate = maxWrongRate
            builder.agreementPoint = base.agreementThreshold != nil
            builder.calibrate(&model, on: calibration, taxonomy: taxonomy, progress: progress)
            // The stored-term evidence is not refitted on a site's few series (its floor needs the
            // corruption check over thousands): the base model's, fitted out of fold, is kept.
            model.storedTerm = base.storedTerm
            calibrationNote = String(format: "refitted on %d validation series: temperature %.3f, thresholds %.3f/%@; judged on the other %d",
                                     calibration.count, model.temperature, model.threshold,
                                     model.agreementThreshold.map { String(format: "%.3f", $0) } ?? "none", validation.count)
        }
        let evaluator = Evaluator(taxonomy: taxonomy)
        func reports(_ m: BodyPartModel) -> [EvaluationReport] {
            conditions.map { c in
                EvaluationReport(name: "validation \(c)", labels: validation.map(\.label),
                                 predictions: evaluator.predictions(model: m, examples: validation, condition: c).model, taxonomy: taxonomy)
            }
        }
        result.base = reports(base)
        result.new = reports(model)
        var verdict = gate.judge(base: result.base, new: result.new)
        if !replay.isEmpty {
            func reference(_ m: BodyPartModel) -> EvaluationReport {
                EvaluationReport(name: "taxonomy examples", labels: replay.map(\.label),
                                 predictions: evaluator.predictions(model: m, examples: replay, condition: .hidden).model, taxonomy: taxonomy)
            }
            let (rb, rn) = (reference(base), reference(model))
            result.referenceBase = rb
            result.referenceNew = rn
            let forgotten = gate.forgetting(base: rb, new: rn)
            verdict.refusals += forgotten
            verdict.accepted = verdict.refusals.isEmpty
        }
        result.verdict = verdict
        model.modelID = ModelFile.modelID(for: model, date: date)
        func figures(_ rs: [EvaluationReport]) -> String { rs.map(Self.figures).joined(separator: "; ") }
        let skippedText = result.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let lineage: [(String, String)] = [
            ("baseModel", base.modelID),
            ("lineage", (base.info["lineage"] ?? base.modelID) + " > " + model.modelID),
            ("fineTuned", ISO8601DateFormatter().string(from: date)),
            ("fineTuneSources", sources),
            ("fineTuneSplit", String(format: "training %d series, validation %d series (%d groups)%@; %@",
                                     train.count, validation.count, Set(validation.map(\.group)).count,
                                     calibration.isEmpty ? "" : ", calibration \(calibration.count) series",
                                     given == nil ? String(format: "grouped by study, validation share %.2f, seed %llu", validationShare, seed)
                                         : "validation series given")),
            ("fineTuneSkipped", skippedText.isEmpty ? "none" : skippedText),
            ("fineTuneLabelCheck", "the labels contradict \(check.disagreements.count) of the \(check.answered) series the base model answers"),
            ("fineTuneSettings", String(format: "linear part and %@; %d epochs, learning rate %.3g, anchor %.3g, taxonomy replay %.2f× per epoch (%d examples); BodyPartExamined hidden %.0f%%, replaced %.0f%%",
                                        forestNote, trainer.epochs, Double(trainer.learningRate), Double(anchor), replay.isEmpty ? 0 : replayRatio,
                                        replay.count, 100 * trainer.hideRate, 100 * trainer.corruptRate)),
            ("fineTuneCalibration", calibrationNote),
            ("fineTuneValidationBase", figures(result.base)),
            ("fineTuneValidationNew", figures(result.new)),
            ("fineTuneGate", verdict.accepted ? "accepted: " + verdict.gains.joined(separator: "; ")
                : "refused: " + verdict.refusals.joined(separator: "; ")),
        ]
        for (k, v) in lineage { model.info[k] = v }
        result.lineage = lineage
        result.model = model
        return result
    }

    /// The label check: how many of the base model's answers (BodyPartExamined as stored) the
    /// labels contradict (neither the same class, an equivalent one, nor one containing the
    /// other: ABDOMEN for an ABDOMENPELVIS label is a refinement fine-tuning may make, BRAIN for
    /// BREAST is not), and the refusal when
    /// they are more than `maxLabelDisagreement` of the answers and at least `minDisagreements`.
    public func labelCheck(base: BodyPartModel, examples: [TrainingExample], taxonomy: Taxonomy)
        -> (answered: Int, disagreements: [String], refusal: String?)
    {
        var predictor = base.makePredictor()
        predictor.evidenceCount = 0
        var answered = 0, disagreements: [String] = []
        for e in examples where e.label != "UNKNOWN" {
            guard let answer = predictor.predict(e.metadata).bodyPart else { continue }
            answered += 1
            if !(taxonomy.areEquivalent(answer, e.label) || taxonomy.contains(answer, e.label) || taxonomy.contains(e.label, answer)) {
                disagreements.append("\(e.seriesInstanceUID): label \(e.label), base model \(answer)")
            }
        }
        let share = Double(disagreements.count) / Double(max(answered, 1))
        guard disagreements.count >= minDisagreements, share > maxLabelDisagreement else { return (answered, disagreements, nil) }
        let refusal = String(format: "the labels contradict %d of the %d series the base model answers (%.0f%%; more than %.0f%%): "
                             + "check the labels before training on them (e.g. %@)", disagreements.count, answered, 100 * share,
                             100 * maxLabelDisagreement, disagreements.prefix(3).joined(separator: "; "))
        return (answered, disagreements, refusal)
    }

    /// `as-is n=49 coverage 34.7% acc(answered) 100.0% wrong 0.0% correct 17 unknown-answered 0/5`.
    public static func figures(_ r: EvaluationReport) -> String {
        let c = FineTuneGate.Counts(r)
        return String(format: "%@ n=%d coverage %.1f%% acc(answered) %.1f%% wrong %.1f%% (correct %d, wrong %d, UNKNOWN answered %d/%d)",
                      r.name, r.labelled, 100 * r.coverage, 100 * r.accuracyAnswered, 100 * r.wrongRate, c.correct, c.wrong,
                      c.unknownAnswered, r.unknown)
    }
}

/// What ``FineTuner/fineTune(base:examples:taxonomy:sources:date:progress:)`` did.
public struct FineTuneResult: Sendable {
    /// The fine-tuned model, lineage in its `info` (the base model when refused before training).
    public var model: BodyPartModel
    /// Whether it may replace the base model, and why (not).
    public var verdict: FineTuneGate.Verdict
    /// The series trained on.
    public var training: [TrainingExample]
    /// The series judged on (UNKNOWN-labelled ones only count for abstention).
    public var validation: [TrainingExample]
    /// The series the thresholds were refitted on (empty: the base model's were kept).
    public var calibration: [TrainingExample]
    /// Examples left out, by reason.
    public var skipped: [String: Int]
    /// The base and the new model on the validation series, one report per condition.
    public var base: [EvaluationReport]
    public var new: [EvaluationReport]
    /// Both models on the taxonomy's examples (forgetting check), when replayed.
    public var referenceBase: EvaluationReport?
    public var referenceNew: EvaluationReport?
    /// The lineage entries written into `model.info`, in order.
    public var lineage: [(String, String)]
}
