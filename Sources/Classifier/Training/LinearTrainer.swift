import Anatomy
import Foundation

/// Trains ``LinearWeights`` by stochastic gradient descent on the softmax cross-entropy, with
/// L2 decay on the rows touched and a linearly decaying learning rate (as fastText does).
///
/// BodyPartExamined augmentation: in every epoch each example's BodyPartExamined is hidden with
/// probability `hideRate`, replaced by a random other class term with probability
/// `corruptRate`, and shown as stored otherwise; so the model learns from the descriptions and
/// does not trust BodyPartExamined blindly.
public struct LinearTrainer: Sendable {
    /// Passes over the data.
    public var epochs = 6
    /// Initial learning rate.
    public var learningRate: Float = 0.8
    /// L2 decay per update of a touched row.
    public var l2: Float = 1e-5
    /// Share of examples per epoch with BodyPartExamined hidden.
    public var hideRate = 0.5
    /// Share of examples per epoch with BodyPartExamined replaced by another term.
    public var corruptRate = 0.1
    /// Random seed.
    public var seed: UInt64 = 1
    /// Learn the class-shared evidence weights (``SharedEvidence``; needs rule features).
    public var sharedEvidence = false
    /// Learning rate of the shared weights relative to `learningRate`.
    public var sharedRate: Float = 0.1

    /// Creates a trainer with default settings.
    public init() {}

    /// Trains on `examples`, whose labels must all be in `classes`. Rule features (feature
    /// version 2) need `taxonomy`.
    public func train(_ examples: [TrainingExample], classes: [String], hashing: FeatureHashing,
                      taxonomy: Taxonomy? = nil, progress: (String) -> Void = { _ in }) -> LinearWeights {
        let data = FeatureTable(examples, classes: classes, extractor: FeatureExtractor(hashing: hashing, taxonomy: taxonomy),
                                seed: seed, sharedEvidence: sharedEvidence)
        return train(data, classCount: classes.count, buckets: hashing.buckets, progress: progress)
    }

    /// Trains on precomputed features (see ``FeatureTable``).
    func train(_ data: FeatureTable, classCount c: Int, buckets: Int, progress: (String) -> Void = { _ in }) -> LinearWeights {
        var model = LinearWeights(classCount: c, buckets: buckets)
        if sharedEvidence && data.hasEvidence { model.shared = [Float](repeating: 0, count: SharedEvidence.count) }
        let n = data.labels.count
        guard n > 0 else { return model }
        var rng = SplitMix(seed: seed)
        var order = Array(0..<n)
        var z = [Float](repeating: 0, count: c)
        let totalSteps = Float(epochs * n)
        var step: Float = 0
        for epoch in 0..<epochs {
            order.shuffle(using: &rng)
            var loss = 0.0
            for i in order {
                let r = rng.unit()
                let variant = r < corruptRate ? 2 : (r < corruptRate + hideRate ? 0 : 1)
                let lr = learningRate * max(1 - step / totalSteps, 0.0001)
                step += 1
                loss += data.withFeatures(i, variant) { update(&model, $0, $1, label: data.labels[i], lr: lr, z: &z) }
            }
            progress(String(format: "linear epoch %d/%d: loss %.4f", epoch + 1, epochs, loss / Double(n)))
        }
        return model
    }

    /// One SGD step; returns the example's loss.
    @inline(__always)
    func update(_ model: inout LinearWeights, _ active: UnsafeBufferPointer<UInt32>, _ pairs: UnsafeBufferPointer<UInt64>,
                label: Int, lr: Float, z: inout [Float]) -> Double {
        let c = model.classCount
        let loss = Self.forward(model, active, pairs, label: label, z: &z)
        if !model.shared.isEmpty { Self.updateShared(&model.shared, pairs, gradient: z, lr: lr * sharedRate) }
        let s = LinearWeights.scale(active.count)
        let decay = 1 - lr * l2
        model.weights.withUnsafeMutableBufferPointer { w in
            let base = w.baseAddress!
            z.withUnsafeBufferPointer { g in
                for f in active {
                    let row = base + Int(f) * c
                    for k in 0..<c { row[k] = row[k] * decay - lr * s * g[k] }
                }
            }
        }
        for k in 0..<c { model.bias[k] -= lr * z[k] }
        return loss
    }

    /// Scores, softmax and loss of one example; leaves the gradient of the loss with respect to
    /// the scores (probabilities minus the one-hot label) in `z`.
    @inline(__always)
    static func forward(_ model: LinearWeights, _ active: UnsafeBufferPointer<UInt32>, _ pairs: UnsafeBufferPointer<UInt64>,
                        label: Int, z: inout [Float]) -> Double {
        z.withUnsafeMutableBufferPointer {
            model.scores(active, into: $0.baseAddress!)
            model.addShared(pairs, into: $0.baseAddress!)
        }
        Calibration.softmax(&z, temperature: 1)
        let loss = -log(Double(max(z[label], 1e-12)))
        z[label] -= 1
        return loss
    }

    /// Gradient step on the shared weights: each feature k of a pair (class c) moves by −lr·g[c].
    @inline(__always)
    static func updateShared(_ shared: inout [Float], _ pairs: UnsafeBufferPointer<UInt64>, gradient g: [Float], lr: Float) {
        for p in pairs {
            var bits = UInt32(truncatingIfNeeded: p)
            let step = lr * g[Int(p >> 32)]
            while bits != 0 {
                shared[bits.trailingZeroBitCount] -= step
                bits &= bits - 1
            }
        }
    }
}

/// The features of every training example in three BodyPartExamined variants: hidden (0), as
/// stored (1), replaced by a seeded random other class term (2). Flat arrays, built once.
struct FeatureTable: Sendable {
    var indices: [UInt32] = []
    /// Start of example i's variant k at `offsets[3 * i + k]`, end at the next offset.
    var offsets: [Int] = [0]
    /// Shared evidence pairs (``FeatureVector/sharedPairs(_:into:)``), indexed like `indices`.
    var pairs: [UInt64] = []
    var pairOffsets: [Int] = [0]
    /// Whether the extractor computes shared evidence (rule features).
    var hasEvidence = false
    var labels: [Int] = []
    /// Position of each kept example in the input.
    var source: [Int] = []

    /// `sharedEvidence`: also record the ``SharedEvidence`` pairs (needs rule features).
    init(_ examples: [TrainingExample], classes: [String], extractor: FeatureExtractor, seed: UInt64, sharedEvidence: Bool) {
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var v = FeatureVector()
        var rng = SplitMix(seed: seed ^ 0xC0FF_EE00)
        let modelIndex = extractor.modelIndex(of: classes)
        hasEvidence = sharedEvidence && extractor.taxonomy != nil
        var p: [UInt64] = []
        func append(_ v: inout FeatureVector) {
            indices.append(contentsOf: v.indices); offsets.append(indices.count)
            if hasEvidence {
                extractor.addSharedEvidence(into: &v)
                v.sharedPairs(modelIndex, into: &p)
                pairs.append(contentsOf: p)
            }
            pairOffsets.append(pairs.count)
        }
        for (i, e) in examples.enumerated() {
            guard let y = classIndex[e.label] else { continue }
            extractor.extract(e.metadata.withBodyPartExamined(nil), into: &v)
            append(&v)
            if e.metadata["BodyPartExamined"] != nil { extractor.extract(e.metadata, into: &v) }
            append(&v)
            var other = Int(rng.next() % UInt64(classes.count))
            if other == y { other = (other + 1) % classes.count }
            extractor.extract(e.metadata.withBodyPartExamined(classes[other]), into: &v)
            append(&v)
            labels.append(y)
            source.append(i)
        }
    }

    @inline(__always)
    func withFeatures<R>(_ i: Int, _ variant: Int, _ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<UInt64>) -> R) -> R {
        let lo = offsets[3 * i + variant], hi = offsets[3 * i + variant + 1]
        let plo = pairOffsets[3 * i + variant], phi = pairOffsets[3 * i + variant + 1]
        return indices.withUnsafeBufferPointer { idx in
            pairs.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: idx[lo..<hi]), UnsafeBufferPointer(rebasing: $0[plo..<phi])) }
        }
    }
}

extension LinearTrainer {
    /// Continues training `start` (a trained model's weights) by SGD on `examples`, with the
    /// same BodyPartExamined augmentation, at this trainer's (lower) learning rate, decaying
    /// linearly. Every update also pulls the touched rows and the bias back towards `start` by
    /// `anchor` (L2 towards the starting weights, not towards zero), so that features the site
    /// data touches often (Modality, Manufacturer) move only as far as the data insists. Each
    /// epoch mixes in up to `replayPerEpoch` seeded draws of `replay` (the taxonomy's own
    /// examples), so that classes the site never shows keep their evidence.
    public func fineTune(_ start: LinearWeights, examples: [TrainingExample], replay: [TrainingExample] = [],
                         replayPerEpoch: Int = 0, anchor: Float, classes: [String], hashing: FeatureHashing,
                         taxonomy: Taxonomy? = nil, progress: (String) -> Void = { _ in }) -> LinearWeights {
        let extractor = FeatureExtractor(hashing: hashing, taxonomy: taxonomy)
        let data = FeatureTable(examples, classes: classes, extractor: extractor, seed: seed, sharedEvidence: !start.shared.isEmpty)
        let replayData = FeatureTable(replay, classes: classes, extractor: extractor, seed: seed ^ 0x5EED,
                                      sharedEvidence: !start.shared.isEmpty)
        var model = start
        let n = data.labels.count, r = replayData.labels.count
        guard n > 0, start.classCount == classes.count else { return model }
        var rng = SplitMix(seed: seed)
        var z = [Float](repeating: 0, count: start.classCount)
        let perEpoch = min(replayPerEpoch, r)
        let totalSteps = Float(epochs * (n + perEpoch))
        var step: Float = 0
        for epoch in 0..<epochs {
            // (table, row): 0 = site examples, 1 = replay.
            var order = (0..<n).map { (0, $0) }
            var drawn = Array(0..<r)
            drawn.shuffle(using: &rng)
            order += drawn.prefix(perEpoch).map { (1, $0) }
            order.shuffle(using: &rng)
            var loss = 0.0, siteLoss = 0.0
            for (table, i) in order {
                let u = rng.unit()
                let variant = u < corruptRate ? 2 : (u < corruptRate + hideRate ? 0 : 1)
                let lr = learningRate * max(1 - step / totalSteps, 0.0001)
                step += 1
                let t = table == 0 ? data : replayData
                let l = t.withFeatures(i, variant) {
                    anchoredUpdate(&model, $0, $1, label: t.labels[i], lr: lr, anchor: anchor, start: start, z: &z)
                }
                loss += l
                if table == 0 { siteLoss += l }
            }
            progress(String(format: "fine-tune epoch %d/%d: loss %.4f on site examples, %.4f overall", epoch + 1, epochs,
                            siteLoss / Double(n), loss / Double(max(order.count, 1))))
        }
        return model
    }

    /// One SGD step whose decay pulls towards `start` instead of zero; returns the example's loss.
    @inline(__always)
    func anchoredUpdate(_ model: inout LinearWeights, _ active: UnsafeBufferPointer<UInt32>, _ pairs: UnsafeBufferPointer<UInt64>,
                        label: Int, lr: Float, anchor: Float, start: LinearWeights, z: inout [Float]) -> Double {
        let c = model.classCount
        let loss = Self.forward(model, active, pairs, label: label, z: &z)
        let s = LinearWeights.scale(active.count)
        let pull = lr * anchor
        model.weights.withUnsafeMutableBufferPointer { w in
            let base = w.baseAddress!
            start.weights.withUnsafeBufferPointer { w0 in
                let origin = w0.baseAddress!
                z.withUnsafeBufferPointer { g in
                    for f in active {
                        let row = base + Int(f) * c, row0 = origin + Int(f) * c
                        for k in 0..<c { row[k] -= lr * s * g[k] + pull * (row[k] - row0[k]) }
                    }
                }
            }
        }
        for k in 0..<c { model.bias[k] -= lr * z[k] + pull * (model.bias[k] - start.bias[k]) }
        return loss
    }
}
