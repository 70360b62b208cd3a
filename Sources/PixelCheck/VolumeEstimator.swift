import Foundation

/// Estimates the covered regions and the body part of a CT volume from its
/// slices' features: per-slice scores, smoothed along z, runs of regions,
/// short end runs left out, mapped to a defined term, with a confidence.
/// Pure and fast: a 500-slice series takes milliseconds.
public struct VolumeEstimator: Sendable {
    /// Below this confidence the estimator abstains.
    public var minimumConfidence = 0.5
    /// Fewer slices, or a shorter span (mm), and the coverage is unknown.
    public var minimumSlices = 3
    public var minimumSpan = 20.0

    public init() {}

    /// One slice's position along the normal (mm, larger is nearer the head) and features.
    public struct Slice: Sendable {
        public var z: Double
        public var path: String
        public var features: SliceFeatures
        public init(z: Double, path: String = "", features: SliceFeatures) {
            self.z = z
            self.path = path
            self.features = features
        }
    }

    /// The estimate for `slices` (any order) of series `series`.
    public func estimate(_ input: [Slice], series: String, notes: [String] = []) -> PixelCheckResult {
        let slices = input.sorted { $0.z > $1.z }
        guard !slices.isEmpty else { return .abstain(series, reason: "no slices to estimate", notes: notes) }
        let scores = slices.map { RegionScorer.scores($0.features) }
        let labels = RegionSequence.labels(scores)
        let spacing = VolumeEstimator.medianSpacing(slices.map(\.z))
        var runs: [RegionExtent] = []
        var runScores: [[Double]] = []
        for (i, slice) in slices.enumerated() {
            let share = scores[i][labels[i].rawValue]
            if let last = runs.last, last.region == labels[i] {
                runs[runs.count - 1].zTo = slice.z
                runs[runs.count - 1].slices += 1
                runScores[runScores.count - 1].append(share)
            } else {
                runs.append(RegionExtent(region: labels[i], zFrom: slice.z, zTo: slice.z, slices: 1, extent: 0))
                runScores.append([share])
            }
        }
        for i in runs.indices { runs[i].extent = runs[i].zFrom - runs[i].zTo + spacing }
        // Leave out short runs at either end (they do not change the body part).
        var first = 0, last = runs.count - 1
        while first < last && runs[first].extent < runs[first].region.minimumEdgeExtent { first += 1 }
        while last > first && runs[last].extent < runs[last].region.minimumEdgeExtent { last -= 1 }
        let kept = runScores[first...last].flatMap { $0 }
        let confidence = kept.reduce(0, +) / Double(kept.count)
        let range = CoveredRange(from: runs[first].region, to: runs[last].region, zFrom: runs[first].zFrom, zTo: runs[last].zTo)
        let perSlice = slices.indices.map { SliceEstimate(z: slices[$0].z, path: slices[$0].path, region: labels[$0], features: slices[$0].features) }
        var result = PixelCheckResult(seriesInstanceUID: series, bodyPart: nil, confidence: confidence, range: range, regions: runs,
                                      slices: slices.count, seconds: 0, reason: nil, notes: notes, perSlice: perSlice)
        let span = slices[0].z - slices[slices.count - 1].z + spacing
        if slices.count < minimumSlices || span < minimumSpan {
            result.reason = "\(slices.count) slice\(slices.count == 1 ? "" : "s") over \(Int(span.rounded())) mm: too little to know the covered range (needs \(minimumSlices) slices over \(Int(minimumSpan)) mm)"
        } else if confidence < minimumConfidence {
            result.reason = "low confidence \(String(format: "%.2f", confidence)) < \(minimumConfidence): the slices do not show one clear run of regions"
        } else {
            result.bodyPart = BodyPartMapping.term(from: range.from, to: range.to)
        }
        return result
    }

    /// The median distance between neighbouring positions (slice thickness
    /// stand-in); 5 mm for a single slice.
    static func medianSpacing(_ z: [Double]) -> Double {
        guard z.count > 1 else { return 5 }
        let gaps = zip(z, z.dropFirst()).map { abs($0 - $1) }.sorted()
        return gaps[gaps.count / 2]
    }
}
