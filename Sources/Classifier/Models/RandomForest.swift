import Foundation

/// A random forest over the dense feature vector (``DenseFeatures``): binary trees whose nodes
/// send a series right when `x[feature] > threshold`, leaves holding class probabilities
/// (quantized to 1/255). The forest's answer is the mean of its trees' leaves.
public struct RandomForest: Sendable {
    /// One node; `feature < 0` marks a leaf whose probabilities start at `leaf` in `leaves`.
    struct Node: Sendable, Hashable {
        var feature: Int32
        var threshold: Float
        var right: Int32
        var leaf: Int32
    }

    /// Length of the dense feature vector the trees read.
    public let featureCount: Int
    /// Number of classes.
    public let classCount: Int
    /// Each tree's nodes; the root is node 0, a split's left child is the next node.
    var trees: [[Node]]
    /// Leaf probabilities, `classCount` per leaf.
    var leaves: [Float]
    /// All trees' nodes in one array (child indices absolute) and each tree's root, for speed.
    let flat: [Node]
    let roots: [Int]
    /// Leaf probabilities as stored (value / 255): a quarter of the memory, fewer cache misses.
    let quantized: [UInt8]

    init(featureCount: Int, classCount: Int, trees: [[Node]], leaves: [Float]) {
        self.featureCount = featureCount
        self.classCount = classCount
        self.trees = trees
        self.leaves = leaves
        (flat, roots) = Self.flatten(trees)
        quantized = leaves.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
    }

    static func flatten(_ trees: [[Node]]) -> ([Node], [Int]) {
        var flat: [Node] = [], roots: [Int] = []
        for tree in trees {
            let base = flat.count
            roots.append(base)
            for var n in tree {
                if n.feature >= 0 { n.right += Int32(base) }
                flat.append(n)
            }
        }
        return (flat, roots)
    }

    /// Number of trees.
    public var treeCount: Int { trees.count }

    /// Mean leaf probabilities of the trees for dense features `x`, written into `out`.
    func probabilities(_ x: UnsafeBufferPointer<Float>, into out: inout [Float]) {
        let c = classCount
        for k in 0..<c { out[k] = 0 }
        out.withUnsafeMutableBufferPointer { o in
            quantized.withUnsafeBufferPointer { lv in
                flat.withUnsafeBufferPointer { nodes in
                    for root in roots {
                        let base = Self.leaf(from: root, x, nodes)
                        for k in 0..<c { o[k] += Float(lv[base + k]) }
                    }
                }
            }
            let s = 1 / (255 * Float(max(roots.count, 1)))
            for k in 0..<c { o[k] *= s }
        }
    }

    /// Where `x` lands in the tree rooted at `root`: the leaf's first index in `leaves`.
    @inline(__always)
    static func leaf(from root: Int, _ x: UnsafeBufferPointer<Float>, _ nodes: UnsafeBufferPointer<Node>) -> Int {
        var i = root
        while nodes[i].feature >= 0 {
            let n = nodes[i]
            i = x[Int(n.feature)] > n.threshold ? Int(n.right) : i + 1
        }
        return Int(nodes[i].leaf)
    }

    /// The same trees with their leaves re-estimated from `rows` (dense vectors, `featureCount`
    /// each) labelled `labels`: a leaf reached by n of them, c_k of class k, becomes
    /// (m·p_k + c_k) / (m + n) with m = `prior` (the old leaf counts as m series). Leaves no row
    /// reaches are kept. Returns the forest and how many leaves moved.
    func refittingLeaves(rows: [Float], labels: [Int], prior: Float) -> (forest: RandomForest, leavesMoved: Int) {
        let c = classCount
        var counts = [Float](repeating: 0, count: leaves.count)
        var reached = [Float](repeating: 0, count: leaves.count / max(c, 1))
        rows.withUnsafeBufferPointer { all in
            flat.withUnsafeBufferPointer { nodes in
                for (r, label) in labels.enumerated() where label >= 0 && label < c {
                    let x = UnsafeBufferPointer(rebasing: all[(r * featureCount)..<((r + 1) * featureCount)])
                    for root in roots {
                        let base = Self.leaf(from: root, x, nodes)
                        counts[base + label] += 1
                        reached[base / c] += 1
                    }
                }
            }
        }
        var refitted = leaves
        var moved = 0
        for leaf in reached.indices where reached[leaf] > 0 {
            moved += 1
            let base = leaf * c, n = reached[leaf]
            for k in 0..<c { refitted[base + k] = (prior * leaves[base + k] + counts[base + k]) / (prior + n) }
        }
        return (RandomForest(featureCount: featureCount, classCount: classCount, trees: trees, leaves: refitted), moved)
    }

    /// The forest block of the model file (docs/model-format.md).
    func encoded() -> Data {
        var d = Data()
        ModelFile.append(&d, UInt32(featureCount))
        ModelFile.append(&d, UInt32(classCount))
        ModelFile.append(&d, UInt32(trees.count))
        for tree in trees {
            ModelFile.append(&d, UInt32(tree.count))
            for n in tree {
                ModelFile.append(&d, UInt32(bitPattern: n.feature))
                if n.feature >= 0 {
                    ModelFile.append(&d, n.threshold.bitPattern)
                    ModelFile.append(&d, UInt32(bitPattern: n.right))
                } else {
                    for k in 0..<classCount {
                        d.append(UInt8(max(0, min(255, (leaves[Int(n.leaf) + k] * 255).rounded()))))
                    }
                }
            }
        }
        return d
    }

    /// Parses a forest block.
    init(encoded data: Data, path: String) throws {
        var offset = 0
        func u32() throws -> UInt32 {
            guard offset + 4 <= data.count else { throw ModelFileError.corrupt(path, "truncated forest") }
            defer { offset += 4 }
            return ModelFile.read(data, offset)
        }
        featureCount = Int(try u32())
        classCount = Int(try u32())
        let count = Int(try u32())
        guard classCount > 0, count < 100_000 else { throw ModelFileError.corrupt(path, "forest header") }
        var trees: [[Node]] = [], leaves: [Float] = []
        for _ in 0..<count {
            let n = Int(try u32())
            var nodes: [Node] = []
            nodes.reserveCapacity(n)
            for _ in 0..<n {
                let f = Int32(bitPattern: try u32())
                if f >= 0 {
                    let t = Float(bitPattern: try u32())
                    let r = Int32(bitPattern: try u32())
                    guard Int(f) < featureCount, r > nodes.count, Int(r) < n else { throw ModelFileError.corrupt(path, "forest node") }
                    nodes.append(Node(feature: f, threshold: t, right: r, leaf: -1))
                } else {
                    guard offset + classCount <= data.count else { throw ModelFileError.corrupt(path, "truncated forest") }
                    nodes.append(Node(feature: -1, threshold: 0, right: -1, leaf: Int32(leaves.count)))
                    for k in 0..<classCount { leaves.append(Float(data[data.startIndex + offset + k]) / 255) }
                    offset += classCount
                }
            }
            trees.append(nodes)
        }
        self.trees = trees
        self.leaves = leaves
        (flat, roots) = Self.flatten(trees)
        quantized = leaves.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
    }
}
