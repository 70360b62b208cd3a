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
    /// Share of examples (whole groups) held out for calibration (with `calibrationFolds` 0).
    public var calibrationShare = 0.15
    /// Cross-fitted calibration over this many folds of groups (0: a held-out share instead).
    public var calibrationFolds = 0
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
    /// Fit temperature and thresholds on the trusted part of the calibration collections
    /// (``trustedMask(_:taxonomy:)``) rather than on all of it: IDC labels are wrong for whole
    /// collections, and a threshold fitted on them prices label noise as model error.
    public var trustedCalibration = true
    /// Also fit the agreement operating point (``BodyPartModel/agreementThreshold``).
    public var agreementPoint = true
    /// Fit the main threshold on the trusted series too (else on all held-out series, noisy
    /// labels: the trusted subset is chosen by rule agreement, so it vouches for answers the rules
    /// corroborate, not for the others).
    public var mainThresholdOnTrusted = false
    /// Lowest agreement threshold allowed (the model's top class must still hold this much).
    public var agreementFloor = 0.5
    /// Fit a threshold for answers by a containing class (``Hierarchy``).
    public var coarserAnswers = false
    /// Fit and use the stored BodyPartExamined as evidence (``StoredTermEvidence``).
    public var storedTermEvidence = false
    /// Fit a threshold per trunk class for answers on cross-sectional scans (``BodyPartModel/trunkThresholds``).
    public var trunkClassThresholds = true
    /// Where the trunk thresholds apply (``TrunkScope``).
    public var trunkScope = TrunkScope.settled
    /// Fit a threshold of its own for answers outside the trunk (``BodyPartModel/partThreshold``).
    public var partAnswers = true
    /// Lowest smoothed out-of-fold accuracy of the answers outside the trunk at that threshold.
    public var partMinAccuracy = 0.97
    /// Wrong-answer budget (share of held-out rows) of the main and part answers together.
    public var partMaxWrongRate = 0.02
    /// Fit reading patterns (``FieldReading``) that answer where the model abstains.
    public var readingAnswers = true
    /// Wrong-answer budget (share of held-out rows) of the model and reading answers together.
    public var readingMaxWrongRate = 0.02
    /// Lowest smoothed out-of-fold accuracy of a reading pattern that answers.
    public var readingMinAccuracy = 0.97
    /// Fit the reading patterns on the held-out series whose own header supports their label
    /// (trusted labels' `text = yes`) and the UNKNOWN ones.
    public var readingFitOnTextYes = false
    /// Series without a label (IDC rows whose BodyPartExamined names no class), for distant
    /// supervision; those of calibration groups are never used.
    public var unlabelled: [TrainingExample] = []
    /// Label `unlabelled` series by their own descriptions (``DistantSupervision``) and train
    /// the linear model on them too.
    public var distantSupervision = false

    /// Creates a builder with default settings.
    public init() {}

    /// Trains and calibrates a model. With `calibrationFolds` 0, `examples` are split by group
    /// into training and calibration parts (`calibrationShare`); otherwise calibration is
    /// cross-fitted (``crossCalibrated(examples:extra:taxonomy:progress:)``). `extra` (RadLex
    /// procedure names) is always used for training only.
    public func build(examples: [TrainingExample], extra: [TrainingExample] = [], taxonomy: Taxonomy,
                      progress: (String) -> Void = { _ in }) -> BodyPartModel {
        if calibrationFolds > 1 { return crossCalibrated(examples: examples, extra: extra, taxonomy: taxonomy, progress: progress) }
        var (train, calibration) = Self.splitByGroup(examples, share: calibrationShare, seed: seed)
        if cleanCalibration { calibration = calibration.filter { !Self.conflictsWithRules($0, taxonomy: taxonomy) } }
        let extra = extra + (taxonomyExamples ? TrainingData.taxonomyExamples(taxonomy) : [])
        train = prepare(train, taxonomy: taxonomy, progress: progress)
        let classes = Self.classes(train + extra, minCount: minClassCount)
        let held = Set(calibration.map(\.group))
        progress("training \(modelType.rawValue) on \(train.count + extra.count) examples, \(classes.count) classes; "
                 + "calibrating on \(calibration.count)")
        var model = trainModel(train, extra: extra, unlabelled: unlabelled.filter { !held.contains($0.group) }, classes: classes,
                               taxonomy: taxonomy, progress: progress)
        calibrate(&model, on: calibration, taxonomy: taxonomy, progress: progress)
        model.modelID = ModelFile.modelID(for: model)
        model.info["trainedExamples"] = String(train.count + extra.count)
        model.info["calibrationExamples"] = String(calibration.count)
        model.info["modelType"] = modelType.rawValue
        return model
    }

    /// Cross-fitted calibration: the groups are dealt into `calibrationFolds` folds; for each, a
    /// model trained on the other folds predicts its series (BodyPartExamined hidden), and the
    /// temperature and thresholds are fitted on these out-of-fold predictions of every group,
    /// then applied to the final model, trained on all of them. A single held-out share fits the
    /// thresholds on a few collections (18 of the IDC table's) whose label habits need not be
    /// those of the next site: the thresholds moved from 0.63 to 0.87 between two draws, and
    /// differed by fold in cross-validation (one fold at 10 % wrong answers). Fitted on all
    /// collections out of fold, they average over far more sites, and the final model loses no
    /// training data to calibration. It costs `calibrationFolds` extra trainings. The fold
    /// models are a little weaker than the final one (less data), so its thresholds err on the
    /// safe side.
    public func crossCalibrated(examples: [TrainingExample], extra: [TrainingExample], taxonomy: Taxonomy,
                                progress: (String) -> Void = { _ in }) -> BodyPartModel {
        let extra = extra + (taxonomyExamples ? TrainingData.taxonomyExamples(taxonomy) : [])
        let all = prepare(examples, taxonomy: taxonomy, progress: progress)
        let classes = Self.classes(all + extra, minCount: minClassCount)
        let fold = GroupedCrossValidation(folds: calibrationFolds).assign(examples)
        var data = CalibrationData()
        for k in 0..<calibrationFolds {
            var held = examples.filter { fold[$0.group] == k }
            if cleanCalibration { held = held.filter { !Self.conflictsWithRules($0, taxonomy: taxonomy) } }
            guard !held.isEmpty else { continue }
            let heldGroups = Set(held.map(\.group))
            let inside = all.filter { !heldGroups.contains($0.group) }
            progress("calibration fold \(k + 1)/\(calibrationFolds): training on \(inside.count + extra.count), predicting \(held.count)")
            let m = trainModel(inside, extra: extra, unlabelled: unlabelled.filter { !heldGroups.contains($0.group) },
                               classes: classes, taxonomy: taxonomy) { _ in }
            data.append(collect(m, on: held))
        }
        progress("training \(modelType.rawValue) on \(all.count + extra.count) examples, \(classes.count) classes; "
                 + "calibrating on \(data.examples.count) out-of-fold predictions")
        var model = trainModel(all, extra: extra, unlabelled: unlabelled, classes: classes, taxonomy: taxonomy, progress: progress)
        fit(&model, data, taxonomy: taxonomy, progress: progress)
        model.modelID = ModelFile.modelID(for: model)
        model.info["trainedExamples"] = String(all.count + extra.count)
        model.info["calibrationExamples"] = "\(data.examples.count) out of fold (\(calibrationFolds) folds by collection)"
        model.info["modelType"] = modelType.rawValue
        return model
    }

    /// Training series after label cleaning and the per-(group, class) cap.
    func prepare(_ examples: [TrainingExample], taxonomy: Taxonomy, progress: (String) -> Void) -> [TrainingExample] {
        var train = examples
        if dropRuleConflicts {
            let strict = dropRuleDisagreements
            train = train.filter { !Self.conflictsWithRules($0, taxonomy: taxonomy, strict: strict) }
            progress("label cleaning: dropped \(examples.count - train.count) training series whose label conflicts with their descriptions")
        }
        if capPerGroupClass > 0 {
            var rng = SplitMix(seed: seed ^ 0xCA9)
            var seen: [String: Int] = [:]
            train = train.shuffled(using: &rng).filter { e in
                seen[e.group + "\u{1}" + e.label, default: 0] += 1
                return seen[e.group + "\u{1}" + e.label]! <= capPerGroupClass
            }
        }
        return train
    }

    /// Classes with at least `minCount` examples (UNKNOWN is never one).
    static func classes(_ examples: [TrainingExample], minCount: Int) -> [String] {
        var counts: [String: Int] = [:]
        for e in examples { counts[e.label, default: 0] += 1 }
        return counts.filter { $0.value >= minCount && $0.key != "UNKNOWN" }.keys.sorted()
    }

    /// An uncalibrated model (temperature 1) trained on `train` (cleaned) and `extra`, with
    /// distant supervision from `unlabelled` when enabled.
    func trainModel(_ train: [TrainingExample], extra: [TrainingExample], unlabelled: [TrainingExample], classes: [String],
                    taxonomy: Taxonomy, progress: (String) -> Void) -> BodyPartModel {
        var distant: [TrainingExample] = []
        if distantSupervision && !unlabelled.isEmpty {
            distant = DistantSupervision(taxonomy: taxonomy).examples(unlabelled, classes: Set(classes))
            progress("distant supervision: \(distant.count) examples from unlabelled series whose descriptions name the region")
        }
        // Always trained: with trees only, the forest still reads its probabilities (stacking).
        let linear = linearTrainer.train(train + extra + distant, classes: classes, hashing: hashing, taxonomy: taxonomy,
                                         progress: progress)
        var forest: RandomForest? = nil
        if modelType != .linear {
            forest = trainForest(train, extra: extra, distant: distant, classes: classes, taxonomy: taxonomy, progress: progress)
        }
        let share = modelType == .linear ? 1 : modelType == .trees ? 0 : linearShare
        var model = BodyPartModel(modelID: "", classes: classes, hashing: hashing, linear: linear, forest: forest,
                                  linearShare: share, taxonomy: taxonomy)
        if !distant.isEmpty { model.info["distantSupervisionExamples"] = String(distant.count) }
        return model
    }

    /// Trains the forest on dense features with out-of-fold linear probabilities (stacking):
    /// training groups are split in `stackingFolds`; each part's linear probabilities come from a
    /// linear model trained without it. Rows: BodyPartExamined hidden and as stored for every
    /// series, replaced by another class term for a third.
    func trainForest(_ train: [TrainingExample], extra: [TrainingExample], distant: [TrainingExample] = [], classes: [String],
                     taxonomy: Taxonomy, progress: (String) -> Void) -> RandomForest {
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
            // Distant-supervision examples train the fold's linear model (as they train the
            // final one) but give no forest rows: their labels come from the rules.
            let inside = train.filter { fold($0.group) != k } + distant.filter { fold($0.group) != k }
            let outside = train.filter { fold($0.group) == k }
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

    /// Held-out predictions to calibrate on: uncalibrated logits (BodyPartExamined hidden), the
    /// descriptions' unambiguous rule class, and the examples.
    public struct CalibrationData: Sendable {
        var logits: [[Float]] = []
        var ruleClass: [Int] = []
        /// Whether a description field names any class (``Predictor/descriptionsName``).
        var named: [Bool] = []
        /// Per example, the classes its description fields name (taxonomy indices, per field) and
        /// whether it is part of a PET/CT (``Predictor/extentSettled(_:scope:)``).
        var namedClasses: [[[UInt8]]] = []
        var pet: [Bool] = []
        var examples: [TrainingExample] = []
        var stored = StoredTermData()
        var reading = ReadingData()

        mutating func append(_ other: CalibrationData) {
            logits += other.logits
            ruleClass += other.ruleClass
            named += other.named
            namedClasses += other.namedClasses
            pet += other.pet
            examples += other.examples
            stored.append(other.stored)
            reading.append(other.reading)
        }
    }

    /// The held-out predictions of `model` (uncalibrated) on `examples`.
    func collect(_ model: BodyPartModel, on examples: [TrainingExample]) -> CalibrationData {
        var predictor = model.makePredictor()
        var data = CalibrationData()
        for e in examples {
            data.logits.append(predictor.logits(e.metadata.withBodyPartExamined(nil)))
            data.ruleClass.append(predictor.unambiguousRuleClass())
            data.named.append(predictor.descriptionsName())
            data.namedClasses.append(predictor.features.ruleMatches)
            data.pet.append(Predictor.petContext(e.metadata))
            if readingAnswers { data.reading.hidden.append(predictor.extractor.reading(predictor.features)) }
        }
        data.examples = examples
        if storedTermEvidence { data.stored = Self.storedTermData(&predictor, examples) }
        if readingAnswers { Self.addStoredReadings(&predictor, examples, into: &data.reading) }
        return data
    }

    /// Which examples keep a trusted label: those whose label is not contradicted by the rule
    /// class of their own descriptions (``conflictsWithRules(_:taxonomy:strict:)``, the
    /// training cleaning rule), outside (group, label) sets where most series whose descriptions
    /// name a region contradict the label (a collection-wide label such as OVARY on CT thorax).
    /// Series whose descriptions name no region keep their label unless their set is dropped.
    public static func trustedMask(_ examples: [TrainingExample], taxonomy: Taxonomy, majority: Double = 0.5) -> [Bool] {
        let rules = RuleBaseline(taxonomy: taxonomy)
        var matched: [String: Int] = [:], conflicting: [String: Int] = [:]
        var conflict = [Bool](repeating: false, count: examples.count)
        var cache: [String: String?] = [:]
        for (i, e) in examples.enumerated() {
            let m = e.metadata
            let key = RuleBaseline.fields.map { m[$0] ?? "" }.joined(separator: "\u{1}")
            let found: String?
            if let hit = cache[key] { found = hit } else {
                found = rules.predict(m.withBodyPartExamined(nil)).bodyPart
                cache[key] = found
            }
            guard let found else { continue }
            let g = e.group + "\u{1}" + e.label
            matched[g, default: 0] += 1
            if !(taxonomy.areEquivalent(found, e.label) || taxonomy.contains(found, e.label) || taxonomy.contains(e.label, found)) {
                conflict[i] = true
                conflicting[g, default: 0] += 1
            }
        }
        return examples.indices.map { i in
            let g = examples[i].group + "\u{1}" + examples[i].label
            let bad = Double(conflicting[g] ?? 0) > majority * Double(matched[g] ?? 0)
            return !conflict[i] && !bad && examples[i].label != "UNKNOWN"
        }
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
