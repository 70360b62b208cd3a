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
    public var modelType: ModelType = .linear
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
    /// Seed for the calibration split.
    public var seed: UInt64 = 7

    /// Creates a builder with default settings.
    public init() {}

    /// Trains and calibrates a model. `examples` are split by group into training and
    /// calibration parts; `extra` (RadLex procedure names) is always used for training only.
    public func build(examples: [TrainingExample], extra: [TrainingExample] = [], taxonomy: Taxonomy,
                      progress: (String) -> Void = { _ in }) -> BodyPartModel {
        let (train, calibration) = Self.splitByGroup(examples, share: calibrationShare, seed: seed)
        let trainAll = train + extra
        var counts: [String: Int] = [:]
        for e in trainAll { counts[e.label, default: 0] += 1 }
        let classes = counts.filter { $0.value >= minClassCount && $0.key != "UNKNOWN" }.keys.sorted()
        progress("training \(modelType.rawValue) on \(trainAll.count) examples, \(classes.count) classes; "
                 + "calibrating on \(calibration.count)")
        var linear = LinearWeights(classCount: classes.count, buckets: hashing.buckets)
        if modelType != .trees {
            linear = linearTrainer.train(trainAll, classes: classes, hashing: hashing, progress: progress)
        }
        var forest: RandomForest? = nil
        if modelType != .linear {
            forest = forestTrainer.train(trainAll, classes: classes, hashing: hashing, progress: progress)
        }
        let share = modelType == .linear ? 1 : modelType == .trees ? 0 : linearShare
        var model = BodyPartModel(modelID: "", classes: classes, hashing: hashing, linear: linear, forest: forest,
                                  linearShare: share)
        calibrate(&model, on: calibration, taxonomy: taxonomy, progress: progress)
        model.modelID = ModelFile.modelID(for: model)
        model.info["trainedExamples"] = String(trainAll.count)
        model.info["calibrationExamples"] = String(calibration.count)
        model.info["modelType"] = modelType.rawValue
        return model
    }

    /// Fits temperature and threshold on held-out examples with BodyPartExamined hidden.
    public func calibrate(_ model: inout BodyPartModel, on calibration: [TrainingExample], taxonomy: Taxonomy,
                          progress: (String) -> Void = { _ in }) {
        let index = Dictionary(uniqueKeysWithValues: model.classes.enumerated().map { ($1, $0) })
        let extractor = FeatureExtractor(hashing: model.hashing)
        var v = FeatureVector()
        var logits: [[Float]] = [], labels: [Int] = [], labelNames: [String] = []
        var z = [Float](repeating: 0, count: model.classes.count), scratch = z
        for e in calibration {
            extractor.extract(e.metadata.withBodyPartExamined(nil), into: &v)
            model.logits(v, into: &z, scratch: &scratch)
            logits.append(z)
            labels.append(index[e.label] ?? -1)
            labelNames.append(e.label)
        }
        let known = labels.indices.filter { labels[$0] >= 0 }
        if !known.isEmpty {
            model.temperature = Calibration.fitTemperature(logits: known.map { logits[$0] }, labels: known.map { labels[$0] })
        }
        var confidences: [Double] = [], correct: [Bool] = []
        for (i, var zi) in logits.enumerated() {
            Calibration.softmax(&zi, temperature: Float(model.temperature))
            var best = 0
            for k in zi.indices where zi[k] > zi[best] { best = k }
            confidences.append(Double(zi[best]))
            correct.append(taxonomy.areEquivalent(model.classes[best], labelNames[i]))
        }
        model.threshold = max(Calibration.threshold(confidences: confidences, correct: correct, maxWrongRate: maxWrongRate), 0.3)
        progress(String(format: "calibration: temperature %.3f, threshold %.3f", model.temperature, model.threshold))
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
