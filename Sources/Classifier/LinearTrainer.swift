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

    /// Creates a trainer with default settings.
    public init() {}

    /// Trains on `examples`, whose labels must all be in `classes`.
    public func train(_ examples: [TrainingExample], classes: [String], hashing: FeatureHashing,
                      progress: (String) -> Void = { _ in }) -> LinearWeights {
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let extractor = FeatureExtractor(hashing: hashing)
        // Precompute features: descriptions etc. without BPE, and BPE alone.
        var baseOffsets = [0], base: [UInt32] = [], bpeOffsets = [0], bpe: [UInt32] = [], labels: [Int] = []
        var v = FeatureVector()
        for e in examples {
            guard let y = classIndex[e.label] else { continue }
            extractor.extract(e.metadata.withBodyPartExamined(nil), into: &v)
            base.append(contentsOf: v.indices); baseOffsets.append(base.count)
            extractor.extractBodyPartExamined(e.metadata["BodyPartExamined"] ?? "", into: &v)
            bpe.append(contentsOf: v.indices); bpeOffsets.append(bpe.count)
            labels.append(y)
        }
        let termFeatures: [[UInt32]] = classes.map { term in
            extractor.extractBodyPartExamined(term, into: &v)
            return v.indices
        }
        let c = classes.count
        var model = LinearWeights(classCount: c, buckets: hashing.buckets)
        let n = labels.count
        guard n > 0 else { return model }
        var rng = SplitMix(seed: seed)
        var order = Array(0..<n)
        var active: [UInt32] = []
        active.reserveCapacity(1024)
        var z = [Float](repeating: 0, count: c)
        let totalSteps = Float(epochs * n)
        var step: Float = 0
        for epoch in 0..<epochs {
            order.shuffle(using: &rng)
            var loss = 0.0
            for i in order {
                active.removeAll(keepingCapacity: true)
                active.append(contentsOf: base[baseOffsets[i]..<baseOffsets[i + 1]])
                let r = rng.unit()
                if r < corruptRate {
                    var other = Int(rng.next() % UInt64(c))
                    if other == labels[i] { other = (other + 1) % c }
                    active.append(contentsOf: termFeatures[other])
                } else if r >= corruptRate + hideRate {
                    active.append(contentsOf: bpe[bpeOffsets[i]..<bpeOffsets[i + 1]])
                }
                let lr = learningRate * max(1 - step / totalSteps, 0.0001)
                step += 1
                loss += update(&model, active, label: labels[i], lr: lr, z: &z)
            }
            progress(String(format: "linear epoch %d/%d: loss %.4f", epoch + 1, epochs, loss / Double(n)))
        }
        return model
    }

    /// One SGD step; returns the example's loss.
    @inline(__always)
    func update(_ model: inout LinearWeights, _ active: [UInt32], label: Int, lr: Float, z: inout [Float]) -> Double {
        let c = model.classCount
        active.withUnsafeBufferPointer { idx in
            z.withUnsafeMutableBufferPointer { model.scores(idx, into: $0.baseAddress!) }
        }
        Calibration.softmax(&z, temperature: 1)
        let loss = -log(Double(max(z[label], 1e-12)))
        z[label] -= 1
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
}
