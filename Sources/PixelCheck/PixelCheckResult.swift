/// A run of consecutive slices given the same region.
public struct RegionExtent: Sendable, Hashable {
    public var region: BodyRegion
    /// Positions along the slice normal (mm): superior end, inferior end.
    public var zFrom: Double
    public var zTo: Double
    public var slices: Int
    /// Length along the normal, counting one slice spacing (mm).
    public var extent: Double
}

/// The covered range: first and last region, and where (mm along the normal).
public struct CoveredRange: Sendable, Hashable {
    public var from: BodyRegion
    public var to: BodyRegion
    public var zFrom: Double
    public var zTo: Double
}

/// One slice as estimated.
public struct SliceEstimate: Sendable, Hashable {
    public var z: Double
    public var path: String
    public var region: BodyRegion
    public var features: SliceFeatures
}

/// The pixel check's answer for one series.
public struct PixelCheckResult: Sendable {
    public var seriesInstanceUID: String
    /// The defined term (nil when abstaining).
    public var bodyPart: String?
    /// 0…1; 0 when abstaining before estimating.
    public var confidence: Double
    /// The range counted for the body part (short regions at the ends left out).
    public var range: CoveredRange?
    /// Every run of regions from head to foot, the short end ones included.
    public var regions: [RegionExtent]
    /// Slices used.
    public var slices: Int
    /// Wall-clock seconds: reading, decoding and estimating.
    public var seconds: Double
    /// Why there is no body part.
    public var reason: String?
    /// What was assumed or left out (missing rescale, localizer images dropped…).
    public var notes: [String]
    /// Per-slice detail, head to foot.
    public var perSlice: [SliceEstimate]

    /// An abstention before any estimate.
    public static func abstain(_ series: String, reason: String, slices: Int = 0, notes: [String] = []) -> PixelCheckResult {
        PixelCheckResult(seriesInstanceUID: series, bodyPart: nil, confidence: 0, range: nil, regions: [], slices: slices,
                         seconds: 0, reason: reason, notes: notes, perSlice: [])
    }
}
