import Foundation

/// Trains a ``RandomForest`` (Gini splits on pre-binned features, row subsampling, a random
/// subset of features per node) on dense feature rows.
public struct ForestTrainer: Sendable {
    /// Number of trees.
    public var trees = 30
    /// Deepest split level.
    public var maxDepth = 12
    /// Fewest rows in a node that may be split, and in each child.
    public var minSplit = 10
    public var minLeaf = 5
    /// Share of rows each tree sees (without replacement).
    public var rowShare = 0.6
    /// Features tried per node, as a multiple of √featureCount.
    public var featureFactor = 2.0
    /// Most thresholds tried per feature (quantiles of its values).
    public var maxBins = 16
    /// Random seed.
    public var seed: UInt64 = 11

    /// Creates default settings.
    public init() {}

    /// Trains on `rows` (row-major, `featureCount` per row) with class indices `labels`.
    func train(rows: [Float], featureCount f: Int, labels: [Int], classCount c: Int,
               progress: (String) -> Void = { _ in }) -> RandomForest {
        let n = labels.count
        guard n > 0, f > 0 else { return RandomForest(featureCount: f, classCount: c, trees: [], leaves: []) }
        // Cut points per feature and the bin of every value (bin b: above cuts[0..<b]).
        var cuts = [[Float]](repeating: [], count: f)
        var bins = [UInt8](repeating: 0, count: n * f)
        for j in 0..<f {
            var values = (0..<n).map { rows[$0 * f + j] }
            values.sort()
            var distinct: [Float] = []
            for x in values where distinct.last != x { distinct.append(x) }
            guard distinct.count > 1 else { continue }
            var cj: [Float] = []
            if distinct.count <= maxBins {
                for i in 0..<(distinct.count - 1) { cj.append((distinct[i] + distinct[i + 1]) / 2) }
            } else {
                for q in 1..<maxBins {
                    let v = values[q * n / maxBins]
                    if let next = values[(q * n / maxBins)...].first(where: { $0 > v }) {
                        let cut = (v + next) / 2
                        if cj.last != cut { cj.append(cut) }
                    }
                }
            }
            cuts[j] = cj
            for i in 0..<n {
                let x = rows[i * f + j]
                var b = 0
                while b < cj.count && x > cj[b] { b += 1 }
                bins[i * f + j] = UInt8(b)
            }
        }
        let usable = (0..<f).filter { !cuts[$0].isEmpty }
        let mtry = max(1, min(usable.count, Int(featureFactor * Double(f).squareRoot())))
        var rng = SplitMix(seed: seed)
        var forest: [[RandomForest.Node]] = []
        var leaves: [Float] = []
        var hist = [Int](repeating: 0, count: (maxBins + 1) * c)
        var counts = [Int](repeating: 0, count: c)
        for tree in 0..<trees {
            var sample = Array(0..<n)
            sample.shuffle(using: &rng)
            sample.removeLast(n - max(1, Int(Double(n) * rowShare)))
            var nodes: [RandomForest.Node] = []
            // Depth-first: (rows range in `sample`, depth, index of the parent to patch as right child or -1).
            var stack: [(lo: Int, hi: Int, depth: Int, parent: Int)] = [(0, sample.count, 0, -1)]
            while let (lo, hi, depth, parent) = stack.popLast() {
                if parent >= 0 { nodes[parent].right = Int32(nodes.count) }
                for k in 0..<c { counts[k] = 0 }
                for i in lo..<hi { counts[labels[sample[i]]] += 1 }
                let total = hi - lo
                var best: (feature: Int, bin: Int, gain: Double) = (-1, 0, 1e-9)
                let pure = counts.contains(total)
                if depth < maxDepth && total >= minSplit && !pure {
                    var parentSum = 0.0
                    for k in 0..<c { parentSum += Double(counts[k] * counts[k]) }
                    let parentScore = parentSum / Double(total)
                    var candidates = usable
                    for s in 0..<mtry {
                        let r = s + Int(rng.next() % UInt64(candidates.count - s))
                        candidates.swapAt(s, r)
                        let j = candidates[s]
                        let nb = cuts[j].count + 1
                        for i in 0..<(nb * c) { hist[i] = 0 }
                        for i in lo..<hi {
                            let row = sample[i]
                            hist[Int(bins[row * f + j]) * c + labels[row]] += 1
                        }
                        // Left = bins ≤ b, right = bins > b.
                        var left = [Int](repeating: 0, count: c)
                        var leftN = 0
                        for b in 0..<(nb - 1) {
                            for k in 0..<c { left[k] += hist[b * c + k]; leftN += hist[b * c + k] }
                            let rightN = total - leftN
                            guard leftN >= minLeaf && rightN >= minLeaf else { continue }
                            var ls = 0.0, rs = 0.0
                            for k in 0..<c {
                                let l = Double(left[k]), r = Double(counts[k] - left[k])
                                ls += l * l; rs += r * r
                            }
                            let gain = ls / Double(leftN) + rs / Double(rightN) - parentScore
                            if gain > best.gain { best = (j, b, gain) }
                        }
                    }
                }
                if best.feature < 0 {
                    nodes.append(.init(feature: -1, threshold: 0, right: -1, leaf: Int32(leaves.count)))
                    for k in 0..<c { leaves.append((Float(counts[k]) / Float(total) * 255).rounded() / 255) }
                    continue
                }
                // Partition: left (bin ≤ b) first.
                var i = lo, j = hi - 1
                while i <= j {
                    if Int(bins[sample[i] * f + best.feature]) <= best.bin { i += 1 } else { sample.swapAt(i, j); j -= 1 }
                }
                nodes.append(.init(feature: Int32(best.feature), threshold: cuts[best.feature][best.bin], right: -1, leaf: -1))
                let me = nodes.count - 1
                stack.append((i, hi, depth + 1, me))   // right, processed after the left subtree
                stack.append((lo, i, depth + 1, -1))  // left: the next node
            }
            forest.append(nodes)
            if (tree + 1) % 20 == 0 { progress("forest: \(tree + 1)/\(trees) trees") }
        }
        return RandomForest(featureCount: f, classCount: c, trees: forest, leaves: leaves)
    }
}
