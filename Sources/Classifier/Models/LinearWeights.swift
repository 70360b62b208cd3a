/// Weights of the linear softmax model: one row of `classCount` floats per hash bucket.
///
/// The score of class c is `bias[c] + s * Σ_f weights[f * classCount + c]` over the series'
/// features f, with `s = 1 / sqrt(featureCount)` so that long descriptions do not dominate,
/// plus `Σ_k shared[k]` over the ``SharedEvidence`` features k the series has for class c.
public struct LinearWeights: Sendable {
    /// Number of classes (columns).
    public let classCount: Int
    /// Number of hash buckets (rows).
    public let buckets: Int
    /// Row-major weights, `buckets * classCount`.
    public var weights: [Float]
    /// Per-class bias.
    public var bias: [Float]
    /// One weight per ``SharedEvidence`` feature, the same for every class (empty: none).
    public var shared: [Float] = []

    /// Zero weights.
    public init(classCount: Int, buckets: Int) {
        self.classCount = classCount
        self.buckets = buckets
        weights = [Float](repeating: 0, count: classCount * buckets)
        bias = [Float](repeating: 0, count: classCount)
    }

    /// Creates weights from stored arrays.
    public init(classCount: Int, buckets: Int, weights: [Float], bias: [Float], shared: [Float] = []) {
        precondition(weights.count == classCount * buckets && bias.count == classCount)
        self.shared = shared
        self.classCount = classCount
        self.buckets = buckets
        self.weights = weights
        self.bias = bias
    }

    /// The feature scale for `n` features.
    @inline(__always)
    static func scale(_ n: Int) -> Float { n > 0 ? 1 / Float(n).squareRoot() : 0 }

    /// Writes the class scores of `indices` into `out` (count `classCount`).
    @inline(__always)
    public func scores(_ indices: UnsafeBufferPointer<UInt32>, into out: UnsafeMutablePointer<Float>) {
        let c = classCount
        for k in 0..<c { out[k] = 0 }
        weights.withUnsafeBufferPointer { w in
            let base = w.baseAddress!
            for f in indices {
                let row = base + Int(f) * c
                for k in 0..<c { out[k] += row[k] }
            }
        }
        let s = Self.scale(indices.count)
        for k in 0..<c { out[k] = bias[k] + s * out[k] }
    }
}
