import Audit
import Classifier

/// The decision for one series with everything needed to edit and audit it.
public struct SeriesDecision: Sendable, Hashable, Codable {
    public var kind: DecisionKind
    /// One sentence a person can read.
    public var reason: String
    /// The prediction it rests on (nil for SKIPPED series, which are not classified).
    public var prediction: Prediction?
    /// Body Part Examined as the modality sent it.
    public var originalBodyPartExamined: String?
    /// The value to write (nil: leave as is).
    public var newBodyPartExamined: String?
    /// The defined term whose SNOMED code goes into Anatomic Region Sequence.
    public var regionTerm: String?
    /// `COERCE` (made to conform) or `CORRECT` (a wrong value replaced), for
    /// Reason for the Attribute Modification.
    public var modificationReason: String
    /// Hanging category for the private block.
    public var hangingCategory: String?
    /// Description fill values by keyword (only where the original was empty).
    public var descriptions: [String: String] = [:]
    /// Whose answer the decision rests on (nil: METADATA).
    public var source: PredictionSource?
    /// The pixel model's opinion, when the series was cross-checked.
    public var pixel: PixelOpinion?
    /// True when the metadata and pixel answers disagree: the series goes to
    /// the review queue.
    public var disagreement: Bool?
}
