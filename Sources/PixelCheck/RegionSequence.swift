import Foundation

/// Smooths per-slice region scores along z: the most likely labelling in
/// which regions only follow each other head to foot (Viterbi over the
/// ordered regions; a step to the next region costs a little, skipping a
/// region costs more).
enum RegionSequence {
    static let stepCost = 2.0
    static let skipCost = 4.0

    /// Labels for slices ordered head to foot, given their region shares.
    static func labels(_ scores: [[Double]]) -> [BodyRegion] {
        let regions = BodyRegion.allCases.count
        guard !scores.isEmpty else { return [] }
        var cost = scores[0].map { -log($0) }
        var back: [[Int]] = []
        for s in scores.dropFirst() {
            var next = [Double](repeating: .infinity, count: regions)
            var from = [Int](repeating: 0, count: regions)
            for j in 0..<regions {
                for i in 0...j {
                    let step = i == j ? 0 : stepCost + skipCost * Double(j - i - 1)
                    let c = cost[i] + step
                    if c < next[j] { next[j] = c; from[j] = i }
                }
                next[j] += -log(s[j])
            }
            back.append(from)
            cost = next
        }
        var state = cost.indices.min { cost[$0] < cost[$1] }!
        var path = [state]
        for from in back.reversed() {
            state = from[state]
            path.append(state)
        }
        return path.reversed().map { BodyRegion(rawValue: $0)! }
    }
}
