import Anatomy
import Foundation

/// The metadata body-part model: hashed features, a linear softmax model, an optional tree
/// ensemble, temperature calibration and an abstention threshold.
///
/// Load the shipped model with ``standard(rulesDirectory:)``, a file with ``load(from:)``.
/// Prediction is pure and thread-safe; for throughput make one ``Predictor`` per thread, which
/// reuses its buffers.
public struct BodyPartModel: Sendable {
    /// Identifier written into predictions and audit rows (`bp-meta-2026.11-1a2b3c4d`).
    public var modelID: String
    /// Class defined terms, in weight-column order.
    public var classes: [String]
    /// Feature hashing parameters the weights were trained with.
    public var hashing: FeatureHashing
    /// Linear softmax weights.
    public var linear: LinearWeights
    /// Optional tree ensemble over selected features.
    public var forest: RandomForest?
    /// Weight of the linear model's probabilities when a forest is present (0...1).
    public var linearShare: Double
    /// Calibration temperature applied to the combined log-probabilities.
    public var temperature: Double
    /// Calibrated confidence below which the model abstains.
    public var threshold: Double
    /// Lower operating point: an answer whose class agrees (same or equivalent) with an
    /// unambiguous rule match of the series' own description fields is accepted from this
    /// confidence on (nil: no agreement point, `threshold` alone decides).
    public var agreementThreshold: Double?
    /// Threshold of answers naming a class outside the trunk (``FieldReading/trunkClasses``):
    /// HEAD, a spine level, a joint, or a trunk class on a radiograph or ultrasound, when the
    /// descriptions' unambiguous rule match agrees. Readers and sites agree on those where they
    /// disagree on a trunk scan's extent, so the same accuracy is reached at a lower confidence
    /// (nil: `threshold` decides for every class).
    public var partThreshold: Double?
    /// Per trunk class, the threshold of its answers on cross-sectional scans whose descriptions
    /// name some class (at most `threshold`; without text, `threshold`), replacing `threshold`
    /// and the agreement point for them
    /// (``Calibration/classThresholds(confidences:correct:classOf:minAccuracy:floor:never:)``;
    /// nil: `threshold` for every class).
    public var trunkThresholds: [String: Double]?
    /// Where `trunkThresholds` apply (``TrunkScope``): model format 6 `named`, 7 `settled`.
    public var trunkScope: TrunkScope = .settled
    /// Lowest mass of a containing class and its parts for a coarser answer (nil: none given).
    public var coarserThreshold: Double?
    /// The stored BodyPartExamined as evidence (nil: only as a feature).
    public var storedTerm: StoredTermEvidence?
    /// Reading patterns (``FieldReading/key(modelAgrees:)``) whose candidate answers when the
    /// model abstains, with the confidence of such answers (their out-of-fold accuracy).
    public var readingPatterns: [String: Double] = [:]
    /// Free-form description: training data, date, figures.
    public var info: [String: String]
    /// The taxonomy whose rule matches are features (needed when `hashing.usesRules`).
    public var taxonomy: Taxonomy?

    /// Creates a model from its parts.
    public init(modelID: String, classes: [String], hashing: FeatureHashing, linear: LinearWeights,
                forest: RandomForest? = nil, linearShare: Double = 1, temperature: Double = 1, threshold: Double = 0.5,
                agreementThreshold: Double? = nil, storedTerm: StoredTermEvidence? = nil, info: [String: String] = [:],
                taxonomy: Taxonomy? = nil) {
        self.modelID = modelID
        self.classes = classes
        self.hashing = hashing
        self.linear = linear
        self.forest = forest
        self.linearShare = linearShare
        self.temperature = temperature
        self.threshold = threshold
        self.agreementThreshold = agreementThreshold
        self.storedTerm = storedTerm
        self.info = info
        self.taxonomy = taxonomy
    }

    /// Predicts the body part of one series.
    public func predict(_ series: SeriesMetadata) -> Prediction {
        var predictor = Predictor(model: self)
        return predictor.predict(series)
    }

    /// Makes a predictor that reuses its buffers between calls.
    public func makePredictor() -> Predictor { Predictor(model: self) }
}

/// Predicts with one model, reusing feature and score buffers (one per thread).
public struct Predictor: Sendable {
    /// The model used.
    public let model: BodyPartModel
    let extractor: FeatureExtractor
    var features = FeatureVector()
    var scores: [Float]
    var scratch: [Float]
    var dense: [Float] = []
    var pairs: [UInt64] = []
    /// Per taxonomy class, its model class index (−1: none), for the shared evidence.
    let modelIndex: [Int]
    /// Per class, the classes that count as the same answer (itself first; HEAD and BRAIN).
    let groups: [[Int]]
    /// Per model class, its index among the taxonomy's classes (−1: none).
    let taxonomyIndex: [Int]
    /// Containing classes, for coarser answers.
    let hierarchy: Hierarchy
    /// Per model class, whether it is a trunk class (``FieldReading/trunkClasses``).
    let trunk: [Bool]
    /// Per model class, its threshold when the answer is about a scan's extent (nil: no such thresholds).
    let extentThreshold: [Double]?
    /// Number of evidence items reported (0 skips evidence for speed).
    public var evidenceCount = 5
    /// Whether the series last predicted is part of a PET/CT (``extentSettled(_:scope:)``; set by
    /// `predict` for trunk answers only).
    var petContext = false

    /// Creates a predictor for `model`.
    public init(model: BodyPartModel) {
        self.model = model
        let extractor = FeatureExtractor(hashing: model.hashing, taxonomy: model.taxonomy)
        self.extractor = extractor
        scores = [Float](repeating: 0, count: model.classes.count)
        scratch = scores
        groups = Self.equivalenceGroups(model)
        taxonomyIndex = model.classes.map { c in extractor.classIndex[c].map(Int.init) ?? -1 }
        modelIndex = extractor.modelIndex(of: model.classes)
        hierarchy = Hierarchy(classes: model.classes, taxonomy: model.taxonomy)
        trunk = model.classes.map { FieldReading.trunkClasses.contains($0) }
        extentThreshold = model.trunkThresholds.map { t in model.classes.map { t[$0] ?? model.threshold } }
    }

    /// The unambiguous rule match of the description fields of the series last extracted, as a
    /// taxonomy class index (−1: none): the first class `Taxonomy.ruleMatch` finds in
    /// `RuleBaseline` field order, provided every class matched in any description field is the
    /// same, equivalent, or a part it contains (CHEST under CHESTABDPELVIS). A field naming a
    /// broader region ("ABD CORONAL" in an "ABD AND PELVIS" study) or another one makes the match
    /// ambiguous. BodyPartExamined plays no part. Reads the rule matches cached by the
    /// extraction: no extra matching.
    func unambiguousRuleClass() -> Int {
        guard extractor.taxonomy != nil else { return -1 }
        let t = extractor.classBytes.count
        var first = -1
        for matches in features.ruleMatches {
            for m in matches {
                if first < 0 { first = Int(m); continue }
                if extractor.relation[first * t + Int(m)] > 2 { return -1 }
            }
        }
        return first
    }

    /// Whether any description field of the series last extracted names a class (rule match):
    /// the lowered trunk thresholds need text; with none, the main threshold decides (a CT
    /// with empty descriptions is ABDOMENPELVIS by some collections' habits, not by a reader's).
    func descriptionsName() -> Bool { features.ruleMatches.contains { !$0.isEmpty } }

    /// Whether model class `k` is the same as or equivalent to taxonomy class `ruleClass`.
    func agrees(_ k: Int, ruleClass: Int) -> Bool {
        guard ruleClass >= 0, k >= 0, k < taxonomyIndex.count, taxonomyIndex[k] >= 0 else { return false }
        return extractor.relation[taxonomyIndex[k] * extractor.classBytes.count + ruleClass] <= 1
    }

    /// Whether a prediction of class `best` at `confidence` is answered: at the main threshold,
    /// or at the agreement threshold when the class agrees with the descriptions' rule match.
    func accepts(_ best: Int, confidence: Double) -> Bool {
        accepts(best, confidence: confidence, ruleClass: unambiguousRuleClass(), partMass: partMass(scores, best: best))
    }

    /// The probability of the region a part answer `best` belongs to: the family (itself and its
    /// parts) of the most specific class outside the trunk containing it — EXTREMITY for KNEE (KNEE,
    /// LEG, HIP…), SPINE for LSPINE, HEADNECK for HEAD — or of `best` alone when none does (BREAST,
    /// HEART sit in the trunk's CHEST). Used only where the descriptions name `best` itself: a model
    /// torn between KNEE and LEG on "MR KNEE LEFT" doubts which part of the limb, which the text
    /// settles, not the region; whether that holds is measured out of fold like every threshold.
    func partMass(_ p: [Float], best: Int) -> Double {
        guard best >= 0, best < trunk.count else { return 0 }
        var mass: Float = 0
        if let a = hierarchy.containers[best].first(where: { !trunk[$0] }) {
            for j in hierarchy.family[a] { mass += p[j] }
        } else {
            for j in groups[best] { mass += p[j] }
        }
        return Double(min(mass, 1))
    }

    /// `accepts` with the unambiguous rule class given (and the part mass, for the part threshold;
    /// nil: `confidence`).
    func accepts(_ best: Int, confidence: Double, ruleClass: Int, partMass: Double? = nil) -> Bool {
        if let extent = extentThreshold, best >= 0, best < trunk.count,
           FieldReading.extentAmbiguous(trunk: trunk[best], slot: features.modality) {
            return confidence >= (extentSettled(best, scope: model.trunkScope) ? extent[best] : model.threshold)
        }
        if confidence >= model.threshold { return true }
        if let p = model.partThreshold, (partMass ?? confidence) >= p, best >= 0, best < trunk.count,
           !FieldReading.extentAmbiguous(trunk: trunk[best], slot: features.modality), agrees(best, ruleClass: ruleClass) {
            return true
        }
        guard let a = model.agreementThreshold, confidence >= a else { return false }
        return agrees(best, ruleClass: ruleClass)
    }

    /// Per class, itself and the classes the taxonomy judges equivalent to it.
    static func equivalenceGroups(_ model: BodyPartModel) -> [[Int]] {
        model.classes.indices.map { k in
            [k] + model.classes.indices.filter { j in
                j != k && (model.taxonomy?.areEquivalent(model.classes[k], model.classes[j]) ?? false)
            }
        }
    }

    /// The answer from class probabilities: the class whose equivalence group (HEAD with BRAIN)
    /// is most probable, its most probable member, and the group's probability as confidence;
    /// so that splitting mass between equivalent terms does not make the model abstain.
    @inline(__always)
    static func decide(_ p: [Float], groups: [[Int]]) -> (best: Int, confidence: Double) {
        var best = 0, bestMass: Float = -1
        for k in p.indices {
            var mass: Float = 0
            for j in groups[k] { mass += p[j] }
            if mass > bestMass || (mass == bestMass && p[k] > p[best]) { best = k; bestMass = mass }
        }
        return (best, Double(min(bestMass, 1)))
    }

    /// Calibrated class probabilities of a series, in `model.classes` order.
    public mutating func probabilities(_ series: SeriesMetadata) -> [Float] {
        logits(series)
        Calibration.softmax(&scores, temperature: Float(model.temperature))
        return scores
    }

    /// Uncalibrated log-probabilities (temperature 1) of the combined model, left in `scores`:
    /// the linear scores, or with a forest `log(a·p_linear + (1−a)·p_forest)`.
    @discardableResult
    mutating func logits(_ series: SeriesMetadata) -> [Float] {
        linearScores(series)
        guard let forest = model.forest, model.linearShare < 1 else { return scores }
        Calibration.softmax(&scores, temperature: 1)
        extractor.dense(series, linear: scores, into: &dense, cache: &features)
        dense.withUnsafeBufferPointer { forest.probabilities($0, into: &scratch) }
        let a = Float(model.linearShare)
        for k in scores.indices { scores[k] = log(max(a * scores[k] + (1 - a) * scratch[k], 1e-6)) }
        return scores
    }

    /// Extracts the features of a series and leaves the linear model's scores in `scores`:
    /// hashed features plus the class-shared evidence (``SharedEvidence``).
    mutating func linearScores(_ series: SeriesMetadata) {
        extractor.extract(series, into: &features)
        features.indices.withUnsafeBufferPointer { idx in
            scores.withUnsafeMutableBufferPointer { model.linear.scores(idx, into: $0.baseAddress!) }
        }
        guard !model.linear.shared.isEmpty else { return }
        extractor.addSharedEvidence(into: &features)
        features.sharedPairs(modelIndex, into: &pairs)
        pairs.withUnsafeBufferPointer { p in
            scores.withUnsafeMutableBufferPointer { model.linear.addShared(p, into: $0.baseAddress!) }
        }
    }

    /// The linear model's probabilities (temperature 1) for a series.
    mutating func linearProbabilities(_ series: SeriesMetadata) -> [Float] {
        linearScores(series)
        Calibration.softmax(&scores, temperature: 1)
        return scores
    }

    /// The dense forest features of a series given linear probabilities.
    mutating func denseFeatures(_ series: SeriesMetadata, linear: [Float]) -> [Float] {
        extractor.dense(series, linear: linear, into: &dense, cache: &features)
        return dense
    }

    /// Predicts the body part of one series: the model's answer at its thresholds, else a
    /// dedicated MR coil's region (``coilAnswer(_:)``), else the stored BodyPartExamined when
    /// nothing contradicts it (``StoredTermEvidence``).
    public mutating func predict(_ series: SeriesMetadata) -> Prediction {
        _ = probabilities(series)
        var (best, confidence) = Self.decide(scores, groups: groups)
        let top = best
        var second = -1, third = -1
        for k in scores.indices where k != best {
            if second < 0 || scores[k] > scores[second] { third = second; second = k }
            else if third < 0 || scores[k] > scores[third] { third = k }
        }
        // Only a trunk answer asks whether the series is part of a PET/CT: off the path of the rest.
        petContext = best >= 0 && best < trunk.count && trunk[best] && Self.petContext(series)
        var abstained = !accepts(best, confidence: confidence)
        if !abstained, confidence < model.threshold, let p = model.partThreshold, confidence < p {
            confidence = partMass(scores, best: best)
        }
        var alternatives: [Prediction.Alternative] = []
        for k in [second, third] where k >= 0 {
            alternatives.append(.init(bodyPart: model.classes[k], confidence: Double(scores[k])))
        }
        let evidence = evidenceCount > 0 && second >= 0 ? self.evidence(best, second) : []
        var basis = Prediction.Basis.model
        var precision = Prediction.Precision.exact
        if abstained, let t = model.coarserThreshold, let (a, mass) = hierarchy.coarser(scores, best: best, threshold: t) {
            (best, confidence, abstained, precision) = (a, mass, false, .coarser)
        }
        let reading = extractor.reading(features)
        let pattern = reading.map { $0.key(modelAgrees: agrees(top, ruleClass: $0.candidate)) }
        var answer: String? = nil
        if abstained, let reading, let pattern, let c = model.readingPatterns[pattern] {
            answer = String(decoding: extractor.classBytes[reading.candidate], as: UTF8.self)
            (confidence, abstained, precision, basis) = (c, false, .exact, .reading)
            if let k = model.classes.firstIndex(of: answer!) { best = k }
        }
        if abstained, let (k, c) = coilAnswer(series) {
            (best, confidence, abstained, precision, basis, answer) = (k, c, false, .exact, .coil, nil)
        }
        if model.storedTerm != nil, let (k, c) = storedTermAnswer(series, best: best, accepted: !abstained) {
            if abstained || c > confidence { (best, confidence, precision, answer) = (k, c, .exact, nil) }
            abstained = false
            basis = .storedTerm
        }
        var p = Prediction(bodyPart: abstained ? nil : answer ?? model.classes[best], topClass: answer ?? model.classes[best],
                           confidence: confidence, abstained: abstained, alternatives: alternatives,
                           evidence: evidence, modelID: model.modelID, basis: basis, precision: precision)
        if let reading, let pattern {
            p.reading = .init(bodyPart: String(decoding: extractor.classBytes[reading.candidate], as: UTF8.self), pattern: pattern)
        }
        return p
    }

    /// The (field, term) pairs whose linear weights favour `top` over `runnerUp` most.
    func evidence(_ top: Int, _ runnerUp: Int) -> [Prediction.Evidence] {
        let c = model.classes.count
        let s = Double(LinearWeights.scale(features.count))
        var sums: [FeatureOrigin: Double] = [:]
        model.linear.weights.withUnsafeBufferPointer { w in
            for (i, f) in features.indices.enumerated() {
                let row = Int(f) * c
                sums[features.origins[i], default: 0] += s * Double(w[row + top] - w[row + runnerUp])
            }
        }
        var merged: [String: Prediction.Evidence] = [:]
        for (origin, weight) in sums where weight > 0 {
            let start = Int(origin.start)
            let term = String(decoding: features.text[start..<(start + Int(origin.length))], as: UTF8.self)
            let key = origin.field.name + "\u{1}" + term
            merged[key, default: .init(field: origin.field.name, term: term, weight: 0)].weight += weight
        }
        // Class-shared evidence (`pairs` holds the last series' (class, bits)).
        var bits = (top: UInt32(0), runnerUp: UInt32(0))
        for p in pairs {
            if Int(p >> 32) == top { bits.top = UInt32(truncatingIfNeeded: p) }
            if Int(p >> 32) == runnerUp { bits.runnerUp = UInt32(truncatingIfNeeded: p) }
        }
        for (k, w) in model.linear.shared.enumerated() {
            let d = Double(w) * (Double((bits.top >> UInt32(k)) & 1) - Double((bits.runnerUp >> UInt32(k)) & 1))
            if d > 0 { merged["rule evidence\u{1}\(k)"] = .init(field: "rule evidence", term: SharedEvidence.names[k], weight: d) }
        }
        let sorted = merged.values.sorted {
            $0.weight != $1.weight ? $0.weight > $1.weight : ($0.term != $1.term ? $0.term < $1.term : $0.field < $1.field)
        }
        return Array(sorted.prefix(evidenceCount)).map {
            .init(field: $0.field, term: $0.term, weight: ($0.weight * 1000).rounded() / 1000)
        }
    }
}
