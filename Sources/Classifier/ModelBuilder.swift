import Anatomy
import Foundation

/// The kinds of model `bodypart train` can build.
public enum ModelType: String, Sendable, CaseIterable, Codable {
    /// Linear softmax on hashed features.
    case linear
    /// Random forest on selected hashed features.
    case trees
    /// Both, probabilities averaged.
    case ensemble
}

/// Builds a calibrated ``BodyPartModel`` from labelled examples: splits off calibration
/// collections, trains, fits the temperature and picks the abstention threshold.
public struct ModelBuilder: Sendable {
    /// Which model family to train.
    public var modelType: ModelType = .ensemble
    /// Linear trainer settings.
    public var linearTrainer = LinearTrainer()
    /// Forest settings.
    public var forestTrainer = ForestTrainer()
    /// Feature hashing parameters.
    public var hashing: FeatureHashing = .standard
    /// Share of examples (whole groups) held out for calibration.
    public var calibrationShare = 0.15
    /// Largest wrong-answer rate allowed on the calibration set when choosing the threshold.
    public var maxWrongRate = 0.01
    /// Classes with fewer training examples are dropped.
    public var minClassCount = 3
    /// Linear share in the ensemble.
    public var linearShare = 0.5
    /// Folds (of training groups) for the out-of-fold linear probabilities the forest reads.
    public var stackingFolds = 3
    /// Add the taxonomy's terms as training examples (``TrainingData/taxonomyExamples(_:)``).
    public var taxonomyExamples = true
    /// Seed for the calibration split.
    public var seed: UInt64 = 7
    /// Drop training series whose label conflicts with the class the taxonomy's rules find in
    /// their own descriptions (neither the same, equivalent, nor containing one another):
    /// IDC BodyPartExamined is a weak label, wrong for whole collections.
    public var dropRuleConflicts = true
    /// Stricter: drop every training series whose rule class is not its label or equivalent
    /// (containment included), so the models learn to trust a rule match.
    public var dropRuleDisagreements = false
    /// Also drop them from the calibration collections (threshold fitted on cleaner labels).
    public var cleanCalibration = false
    /// Most training series per (group, class) after cleaning (0: no cap).
    public var capPerGroupClass = 0

    /// Creates a builder with default settings.
    public init() {}

    /// Trains and calibrates a model. `examples` are split by group into training and
    /// calibration parts; `extra` (RadLex procedure names) is always used for training only.
    public func build(examples: [TrainingExample], extra: [TrainingExample] = [], taxonomy: Taxonomy,
                      progress: (String) -> Void = { _ in }) -> BodyPartModel {
        var (train, calibration) = Self.splitByGroup(examples, share: calibrationShare, seed: seed)
        if dropRuleConflicts {
            let before = train.count
            let strict = dropRuleDisagreements
            train = train.filter { !Self.conflictsWithRules($0, taxonomy: taxonomy, strict: strict) }
            progress("label cleaning: dropped \(before - train.count) training series whose label conflicts with their descriptions")
            if cleanCalibration { calibration = calibration.filter { !Self.conflictsWithRules($0, taxonomy: taxonomy) } }
        }
        if capPerGroupClass > 0 {
            var rng = SplitMix(seed: seed ^ 0xCA9)
            var seen: [String: Int] = [:]
            train = train.shuffled(using: &rng).filter { e in
                seen[e.group + "\u{1}" + e.label, default: 0] += 1
                return seen[e.group + "\u{1}" + e.label]! <= capPerGroupClass
            }
        }
        let extra = extra + (taxonomyExamples ? TrainingData.taxonomyExamples(taxonomy) : [])
        let trainAll = train + extra
        var counts: [String: Int] = [:]
        for e in trainAll { counts[e.label, default: 0] += 1 }
        let classes = counts.filter { $0.value >= minClassCount && $0.key != "UNKNOWN" }.keys.sorted()
        progress("training \(modelType.rawValue) on \(trainAll.count) examples, \(classes.count) classes; "
                 + "calibrating on \(calibration.count)")
        // Always trained: with trees only, the forest still reads its probabilities (stacking).
        let linear = linearTrainer.train(trainAll, classes: classes, hashing: hashing, taxonomy: taxonomy, progress: progress)
        var forest: RandomForest? = nil
        if modelType != .linear {
            forest = trainForest(train, extra: extra, classes: classes, taxonomy: taxonomy, progress: progress)
        }
        let share = modelType == .linear ? 1 : modelType == .trees ? 0 : linearShare
        var model = BodyPartModel(modelID: "", classes: classes, hashing: hashing, linear: linear, forest: forest,
                                  linearShare: share, taxonomy: taxonomy)
        calibrate(&model, on: calibration, taxonomy: taxonomy, progress: progress)
        model.modelID = ModelFile.modelID(for: model)
        model.info["trainedExamples"] = String(trainAll.count)
        model.info["calibrationExamples"] = String(calibration.count)
        model.info["modelType"] = modelType.rawValue
        return model
    }

    /// Trains the forest on dense features with out-of-fold linear probabilities (stacking):
    /// training groups are split in `stackingFolds`; each part's linear probabilities come from a
    /// linear model trained without it. Rows: BodyPartExamined hidden and as stored for every
    /// series, replaced by another class term for a third.
    func trainForest(_ train: [TrainingExample], extra: [TrainingExample], classes: [String], taxonomy: Taxonomy,
                     progress: (String) -> Void) -> RandomForest {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let folds = stackingFolds
        // Extra examples (RadLex, taxonomy) are spread over the folds one by one.
        let train = train + extra.enumerated().map { i, e in
            var e = e
            e.group = "\u{1}\(i)"
            return e
        }
        func fold(_ group: String) -> Int { Int(SplitMix.hash(group) % UInt64(folds)) }
        var rows: [Float] = [], labels: [Int] = [], width = 0
        var rng = SplitMix(seed: seed ^ 0xF0E57)
        for k in 0..<folds {
            let inside = train.filter { fold($0.group) != k }, outside = train.filter { fold($0.group) == k }
            guard !outside.isEmpty else { continue }
            var trainer = linearTrainer
            trainer.seed = linearTrainer.seed &+ UInt64(k + 1)
            let linear = trainer.train(inside, classes: classes, hashing: hashing, taxonomy: taxonomy)
            var predictor = BodyPartModel(modelID: "", classes: classes, hashing: hashing, linear: linear, taxonomy: taxonomy)
                .makePredictor()
            for e in outside {
                guard let y = index[e.label] else { continue }
                var variants = [e.metadata.withBodyPartExamined(nil)]
                if e.metadata["BodyPartExamined"] != nil { variants.append(e.metadata) }
                if rng.unit() < 0.34 {
                    var other = Int(rng.next() % UInt64(classes.count))
                    if other == y { other = (other + 1) % classes.count }
                    variants.append(e.metadata.withBodyPartExamined(classes[other]))
                }
                for m in variants {
                    let p = predictor.linearProbabilities(m)
                    let x = predictor.denseFeatures(m, linear: p)
                    width = x.count
                    rows += x
                    labels.append(y)
                }
            }
            progress("stacking fold \(k + 1)/\(folds): \(labels.count) forest rows")
        }
        return forestTrainer.train(rows: rows, featureCount: width, labels: labels, classCount: classes.count, progress: progress)
    }

    /// Fits temperature and threshold on held-out examples with BodyPartExamined hidden.
    public func calibrate(_ model: inout BodyPartModel, on calibration: [TrainingExample], taxonomy: Taxonomy,
                          progress: (String) -> Void = { _ in }) {
        let index = Dictionary(uniqueKeysWithValues: model.classes.enumerated().map { ($1, $0) })
        var predictor = model.makePredictor()
        var logits: [[Float]] = [], labels: [Int] = [], labelNames: [String] = []
        for e in calibration {
            logits.append(predictor.logits(e.metadata.withBodyPartExamined(nil)))
            labels.append(index[e.label] ?? -1)
            labelNames.append(e.label)
        }
        let known = labels.indices.filter { labels[$0] >= 0 }
        if !known.isEmpty {
            model.temperature = Calibration.fitTemperature(logits: known.map { logits[$0] }, labels: known.map { labels[$0] })
        }
        var confidences: [Double] = [], correct: [Bool] = []
        let groups = Predictor.equivalenceGroups(model)
        for (i, var zi) in logits.enumerated() {
            Calibration.softmax(&zi, temperature: Float(model.temperature))
            let (best, confidence) = Predictor.decide(zi, groups: groups)
            confidences.append(confidence)
            correct.append(taxonomy.areEquivalent(model.classes[best], labelNames[i]))
        }
        model.threshold = max(Calibration.threshold(confidences: confidences, correct: correct, maxWrongRate: maxWrongRate), 0.3)
        progress(String(format: "calibration: temperature %.3f, threshold %.3f", model.temperature, model.threshold))
    }

    /// Whether the first class the rules find in the example's descriptions (BodyPartExamined
    /// ignored) conflicts with its label: not the same, equivalent, containing or contained.
    public static func conflictsWithRules(_ e: TrainingExample, taxonomy: Taxonomy, strict: Bool = false) -> Bool {
        let rules = RuleBaseline(taxonomy: taxonomy).predict(e.metadata.withBodyPartExamined(nil))
        guard let found = rules.bodyPart else { return false }
        if strict { return !taxonomy.areEquivalent(found, e.label) }
        return !(taxonomy.areEquivalent(found, e.label) || taxonomy.contains(found, e.label) || taxonomy.contains(e.label, found))
    }

    /// Splits examples by group: a seeded share of groups (by example count) goes to the second part.
    public static func splitByGroup(_ examples: [TrainingExample], share: Double, seed: UInt64)
        -> ([TrainingExample], [TrainingExample])
    {
        var sizes: [String: Int] = [:]
        for e in examples { sizes[e.group, default: 0] += 1 }
        var rng = SplitMix(seed: seed)
        let groups = sizes.keys.sorted().shuffled(using: &rng)
        var held = Set<String>(), heldCount = 0
        let target = Int(Double(examples.count) * share)
        for g in groups where heldCount < target && sizes[g]! <= max(target - heldCount, target / 3) {
            held.insert(g)
            heldCount += sizes[g]!
        }
        return (examples.filter { !held.contains($0.group) }, examples.filter { held.contains($0.group) })
    }
}
