import Foundation

/// Per-slice likelihood of each region from a slice's features: soft rules
/// over lung share, skull ring, body area, lateral bone and separate parts.
/// The thresholds are written out in docs/pixelcheck.md.
public enum RegionScorer {
    /// Posterior-like shares per region (sum 1, each at least `floor`),
    /// indexed by `BodyRegion.rawValue`.
    public static func scores(_ f: SliceFeatures) -> [Double] {
        guard f.bodyArea >= 20 else { return uniform }
        let chest = rising(f.lungShare, at: 0.05, width: 0.012)
        let notChest = 1 - chest
        let ring = rising(f.ringBone, at: 0.45, width: 0.07)
        let small = falling(f.bodyArea, at: 320, width: 40)
        // Two body parts of similar size side by side: thighs (or legs).
        let twoParts = max(rising(f.secondPart / max(f.largestPart, 1), at: 0.35, width: 0.08) * rising(f.secondPart, at: 50, width: 12),
                           falling(f.midline, at: 0.45, width: 0.08))
        let lateralBone = rising(f.lateralBoneArea, at: 10, width: 2.5)
        let large = rising(f.bodyArea, at: 280, width: 40)
        var s = [Double](repeating: 0, count: BodyRegion.allCases.count)
        s[BodyRegion.head.rawValue] = notChest * ring * small * (1 - twoParts)
        s[BodyRegion.neck.rawValue] = notChest * (1 - ring) * (1 - twoParts) * max(small, 0.5 * lateralBone * large)
        s[BodyRegion.chest.rawValue] = chest * (1 - twoParts)
        s[BodyRegion.abdomen.rawValue] = notChest * (1 - ring) * large * (1 - lateralBone) * (1 - twoParts)
        s[BodyRegion.pelvis.rawValue] = notChest * (1 - ring) * large * lateralBone * (1 - twoParts)
        s[BodyRegion.legs.rawValue] = notChest * (1 - ring) * max(twoParts, 0.3 * small)
        return normalized(s)
    }

    static let floor = 0.01
    static let uniform = [Double](repeating: 1 / Double(BodyRegion.allCases.count), count: BodyRegion.allCases.count)

    static func normalized(_ s: [Double]) -> [Double] {
        let floored = s.map { max($0, floor) }
        let total = floored.reduce(0, +)
        return floored.map { $0 / total }
    }

    /// 0 well below `at`, 1 well above (logistic, `width` the spread).
    static func rising(_ x: Double, at: Double, width: Double) -> Double { 1 / (1 + exp(-(x - at) / width)) }
    static func falling(_ x: Double, at: Double, width: Double) -> Double { 1 - rising(x, at: at, width: width) }
}
