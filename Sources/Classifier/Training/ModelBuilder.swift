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
        var examples: [TrainingExample] = []
        var stored = StoredTermData()
        var reading = ReadingData()

        mutating func append(_ other: CalibrationData) {
            logits += other.logits
            ruleClass += other.ruleClass
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
            if readingAnswers { data.reading.hidden.append(predictor.extractor.reading(predictor.features)) }
        }
        data.examples = examples
        if storedTermEvidence { data.stored = Self.storedTermData(&predictor, examples) }
        if readingAnswers { Self.addStoredReadings(&predictor, examples, into: &data.reading) }
        return data
    }

    /// Fits temperature and thresholds on held-out examples with BodyPartExamined hidden: on the
    /// trusted ones (``trustedMask(_:taxonomy:)``) when `trustedCalibration`, else on all. The
    /// figures on all (noisy labels) and on the trusted ones go to `progress` and `model.info`.
    public func calibrate(_ model: inout BodyPartModel, on calibration: [TrainingExample], taxonomy: Taxonomy,
                          progress: (String) -> Void = { _ in }) {
        fit(&model, collect(model, on: calibration), taxonomy: taxonomy, progress: progress)
    }

    /// Fits `model`'s temperature and thresholds on held-out predictions (of it, or of models
    /// trained like it on other folds: the class order must be the same).
    func fit(_ model: inout BodyPartModel, _ data: CalibrationData, taxonomy: Taxonomy, progress: (String) -> Void) {
        let calibration = data.examples, logits = data.logits, ruleClass = data.ruleClass
        let index = Dictionary(uniqueKeysWithValues: model.classes.enumerated().map { ($1, $0) })
        let predictor = model.makePredictor()
        let labels = calibration.map { index[$0.label] ?? -1 }
        let trusted = trustedCalibration ? Self.trustedMask(calibration, taxonomy: taxonomy) : calibration.map { _ in true }
        let fit = calibration.indices.filter { trusted[$0] }
        let known = fit.filter { labels[$0] >= 0 }
        if !known.isEmpty {
            model.temperature = Calibration.fitTemperature(logits: known.map { logits[$0] }, labels: known.map { labels[$0] })
        }
        let groups = Predictor.equivalenceGroups(model)
        var confidences: [Double] = [], correct: [Bool] = [], agrees: [Bool] = [], bests: [Int] = [], partMasses: [Double] = []
        var coarser: [(Int, Double)?] = []
        for (i, var zi) in logits.enumerated() {
            Calibration.softmax(&zi, temperature: Float(model.temperature))
            let (best, confidence) = Predictor.decide(zi, groups: groups)
            coarser.append(predictor.hierarchy.bestCoarser(zi, best: best))
            confidences.append(confidence)
            partMasses.append(predictor.partMass(zi, best: best))
            bests.append(best)
            correct.append(taxonomy.areEquivalent(model.classes[best], calibration[i].label))
            agrees.append(predictor.agrees(best, ruleClass: ruleClass[i]))
        }
        func pick<T>(_ a: [T]) -> [T] { fit.map { a[$0] } }
        let alone = max(Calibration.threshold(confidences: pick(confidences), correct: pick(correct),
                                              maxWrongRate: maxWrongRate), 0.3)
        let noisy = max(Calibration.threshold(confidences: confidences, correct: correct, maxWrongRate: maxWrongRate), 0.3)
        if agreementPoint {
            let t = Calibration.thresholds(confidences: pick(confidences), correct: pick(correct), agrees: pick(agrees),
                                           maxWrongRate: maxWrongRate, agreementFloor: agreementFloor,
                                           fixedMain: mainThresholdOnTrusted ? nil : noisy)
            model.threshold = max(t.main, 0.3)
            model.agreementThreshold = max(t.agreement, agreementFloor)
        } else {
            model.threshold = mainThresholdOnTrusted ? alone : noisy
            model.agreementThreshold = nil
        }
        let slots = calibration.map { FeatureExtractor.modalitySlot($0.metadata["Modality"] ?? "") }
        let extent = calibration.indices.map { FieldReading.extentAmbiguous(trunk: predictor.trunk[bests[$0]], slot: slots[$0]) }
        model.trunkThresholds = nil
        if trunkClassThresholds {
            // A class lowers its threshold where its own answers earn it; one that never reaches the
            // bar keeps the main threshold (CHEST: IDC's chest recons of whole-body PET/CT are not a
            // hospital's CT chest, and never answering CT chest would give up the commonest exam).
            var t = Calibration.classThresholds(confidences: pick(confidences), correct: pick(correct),
                                                classOf: fit.map { extent[$0] ? bests[$0] : nil }, minAccuracy: partMinAccuracy,
                                                never: model.threshold)
            for (k, v) in t { t[k] = min(v, model.threshold) }
            model.trunkThresholds = Dictionary(uniqueKeysWithValues: t.map { (model.classes[$0.key], $0.value) })
            progress("trunk classes on cross-sectional scans from: " + t.sorted { $0.key < $1.key }
                .map { String(format: "%@ %.3f", model.classes[$0.key], $0.value) }.joined(separator: ", "))
        }
        /// Whether series i is answered at the main, agreement or trunk class thresholds.
        func mainAnswers(_ i: Int) -> Bool {
            if let t = model.trunkThresholds, extent[i] { return confidences[i] >= t[model.classes[bests[i]]] ?? model.threshold }
            return confidences[i] >= model.threshold || (model.agreementThreshold.map { confidences[i] >= $0 } ?? false) && agrees[i]
        }
        model.partThreshold = nil
        if partAnswers {
            let answered = fit.map(mainAnswers)
            let part = fit.map { !extent[$0] && agrees[$0] }
            model.partThreshold = Calibration.partThreshold(confidences: pick(partMasses), correct: pick(correct), part: part,
                                                            answered: answered, ceiling: model.threshold,
                                                            minAccuracy: partMinAccuracy, maxWrongRate: partMaxWrongRate)
            progress(model.partThreshold.map { String(format: "answers outside the trunk from confidence %.3f", $0) }
                     ?? "answers outside the trunk: no lower threshold keeps them within the bar")
        }
        /// Whether held-out series i is answered by the model at the fitted points.
        func modelAnswers(_ i: Int) -> Bool {
            mainAnswers(i) || !extent[i] && agrees[i] && (model.partThreshold.map { partMasses[i] >= $0 } ?? false)
        }
        /// Coverage, accuracy on answered and wrong share of the given examples at the chosen points.
        func figures(_ rows: [Int]) -> String {
            var answered = 0, right = 0
            for i in rows {
                guard modelAnswers(i) else { continue }
                answered += 1
                if correct[i] { right += 1 }
            }
            let n = Double(max(rows.count, 1))
            return String(format: "n=%d coverage %.1f%% acc(answered) %.1f%% wrong %.1f%%", rows.count,
                          100 * Double(answered) / n, 100 * Double(right) / Double(max(answered, 1)),
                          100 * Double(answered - right) / n)
        }
        model.coarserThreshold = nil
        if coarserAnswers {
            // Candidates: series answered neither at the main nor at the agreement point.
            let open = fit.filter { i in !modelAnswers(i) && coarser[i] != nil }
            if !open.isEmpty {
                let rate = 0.005 * Double(fit.count) / Double(open.count)
                let t = Calibration.threshold(confidences: open.map { coarser[$0]!.1 },
                                              correct: open.map { taxonomy.areEquivalent(model.classes[coarser[$0]!.0], calibration[$0].label) },
                                              maxWrongRate: rate)
                let taken = open.filter { coarser[$0]!.1 >= t }
                let right = taken.filter { taxonomy.areEquivalent(model.classes[coarser[$0]!.0], calibration[$0].label) }.count
                if t < 1, !taken.isEmpty, Double(right) >= 0.97 * Double(taken.count) {
                    model.coarserThreshold = max(t, model.threshold)
                    progress(String(format: "coarser answers from mass %.3f: %d more held-out series answered, %d right", model.coarserThreshold!,
                                    taken.count, right))
                } else {
                    progress("coarser answers: none reach 97 % strict accuracy out of fold; not given")
                }
            }
        }
        model.storedTerm = nil
        if storedTermEvidence, data.stored.storedClass.count == calibration.count {
            let fitRows = Array(calibration.indices.filter { trusted[$0] && calibration[$0].label != "" })
            let sub = StoredTermData(storedClass: fitRows.map { data.stored.storedClass[$0] },
                                     ruleClasses: fitRows.map { data.stored.ruleClasses[$0] })
            let (evidence, figures) = fitStoredTerm(model, hidden: fitRows.map { logits[$0] }, examples: fitRows.map { calibration[$0] },
                                                    data: sub, taxonomy: taxonomy)
            model.storedTerm = evidence
            model.info["storedTermFigures"] = figures
            progress("stored BodyPartExamined as evidence: " + figures + (evidence == nil ? "; not used" : ""))
        }
        let all = Array(calibration.indices), trustedRows = calibration.indices.filter { trusted[$0] }
        let readings = fitReadings(&model, data, rows: trustedRows, taxonomy: taxonomy)
        model.info["readingFigures"] = readings
        progress(readings)
        model.info["calibrationTrusted"] = String(trustedRows.count)
        model.info["thresholdNoisyLabels"] = String(format: "%.4f", noisy)
        model.info["thresholdTrustedAlone"] = String(format: "%.4f", alone)
        model.info["calibrationFiguresNoisy"] = figures(all)
        model.info["calibrationFiguresTrusted"] = figures(trustedRows)
        progress(String(format: "calibration: temperature %.3f, threshold %.3f, agreement threshold %@ "
                        + "(fitted on %@ held-out series; threshold alone on noisy labels would be %.3f, on trusted %.3f)",
                        model.temperature, model.threshold, model.agreementThreshold.map { String(format: "%.3f", $0) } ?? "none",
                        trustedCalibration ? "\(trustedRows.count) trusted of \(all.count)" : "all \(all.count)", noisy, alone))
        progress("calibration figures, BodyPartExamined hidden: noisy labels " + figures(all) + "; trusted labels " + figures(trustedRows))
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
