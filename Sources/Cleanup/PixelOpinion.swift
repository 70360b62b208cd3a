/// Which model's answer a decision rests on; written to (0077,xx06).
public enum PredictionSource: String, Sendable, Hashable, Codable {
    /// The header-only model alone (the default).
    case metadata = "METADATA"
    /// The pixel check alone: the metadata model gave no answer.
    case pixel = "PIXEL"
    /// Both were used and agree.
    case both = "BOTH"
    /// A person's review.
    case review = "REVIEW"
}

/// What a pixel model (the built-in pixel check or an external plug-in)
/// said about one series: a second opinion beside the metadata prediction.
public struct PixelOpinion: Sendable, Hashable, Codable {
    /// The defined term; nil when the model abstained or failed.
    public var bodyPart: String?
    /// 0…1 (0 when it abstained before estimating, or failed).
    public var confidence: Double
    /// `pixelcheck` (built-in) or the plug-in's command.
    public var model: String
    /// Why there is no body part (abstention or failure), one line.
    public var reason: String?
    /// True when the model failed (crash, timeout, bad answer): audited as an error.
    public var failed: Bool
    /// What it saw, for the audit and the review (`CHEST → PELVIS, 68 slices`).
    public var detail: String?

    public init(bodyPart: String?, confidence: Double, model: String, reason: String? = nil, failed: Bool = false,
                detail: String? = nil) {
        self.bodyPart = bodyPart
        self.confidence = confidence
        self.model = model
        self.reason = reason
        self.failed = failed
        self.detail = detail
    }

    /// A failure: no answer, and the reason to audit.
    public static func failure(model: String, _ reason: String) -> PixelOpinion {
        PixelOpinion(bodyPart: nil, confidence: 0, model: model, reason: reason, failed: true)
    }
}
