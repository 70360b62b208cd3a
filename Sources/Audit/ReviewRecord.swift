import Foundation
import GRDB

/// One row of the review queue (the hash-chained `reviews` table, schema
/// `v2`): a series whose metadata and pixel answers disagree, and every
/// later change of its status. Rows are never updated: accepting,
/// rejecting or relabelling appends a row, and a series' current state is
/// its newest row (like a run's status in `run_events`).
public struct ReviewRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, ChainedRecord {
    /// The table name.
    public static let databaseTableName = "reviews"
    /// Row id, assigned by the store.
    public var id: Int64?
    /// SeriesInstanceUID (0020,000E) under review.
    public var seriesInstanceUID: String
    /// StudyInstanceUID (0020,000D) of the series.
    public var studyInstanceUID: String
    /// The run whose decision opened the review (carried on every row).
    public var runID: Int64
    /// Modality (0008,0060).
    public var modality: String?
    /// BodyPartExamined as the modality sent it.
    public var currentBodyPartExamined: String?
    /// The metadata model's answer (nil when it abstained) and confidence.
    public var metadataAnswer: String?
    public var metadataConfidence: Double?
    /// The pixel model's answer and confidence.
    public var pixelAnswer: String?
    public var pixelConfidence: Double?
    /// `pixelcheck` or the external plug-in's command.
    public var pixelModel: String?
    /// `open`, `accepted`, `rejected` or `relabelled` (the `status` column, stored as its text).
    public var state: ReviewStatus
    /// The body part a reviewer settled on (nil while open).
    public var label: String?
    /// Who made this status change (`bodypart` for an opening).
    public var reviewer: String
    /// Free text from the reviewer, or the decision's reason on opening.
    public var note: String?
    /// When this row was written (stored to the millisecond, UTC).
    public var at: Date
    /// Hash of the previous `reviews` row (set by the store).
    public internal(set) var prevHash: String?
    /// This row's hash (set by the store).
    public internal(set) var hash: String?

    /// The review states as text (for options and forms).
    public static let statuses = ReviewStatus.allCases.map(\.rawValue)

    /// The state as text (`state.rawValue`), for pages that still take strings.
    @available(*, deprecated, message: "use state (typed), or state.rawValue for the text")
    public var status: String { state.rawValue }

    /// The stored columns: `state` is the `status` column.
    enum CodingKeys: String, CodingKey {
        case id, seriesInstanceUID, studyInstanceUID, runID, modality, currentBodyPartExamined, metadataAnswer
        case metadataConfidence, pixelAnswer, pixelConfidence, pixelModel
        case state = "status"
        case label, reviewer, note, at, prevHash, hash
    }

    /// A review row to append; `id` and the hashes are set by the store.
    public init(id: Int64? = nil, seriesInstanceUID: String, studyInstanceUID: String, runID: Int64, modality: String? = nil,
                currentBodyPartExamined: String? = nil, metadataAnswer: String?, metadataConfidence: Double?,
                pixelAnswer: String?, pixelConfidence: Double?, pixelModel: String?, state: ReviewStatus = .open,
                label: String? = nil, reviewer: String = "bodypart", note: String? = nil, at: Date = Date()) {
        self.id = id
        self.seriesInstanceUID = seriesInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.runID = runID
        self.modality = modality
        self.currentBodyPartExamined = currentBodyPartExamined
        self.metadataAnswer = metadataAnswer
        self.metadataConfidence = metadataConfidence
        self.pixelAnswer = pixelAnswer
        self.pixelConfidence = pixelConfidence
        self.pixelModel = pixelModel
        self.state = state
        self.label = label
        self.reviewer = reviewer
        self.note = note
        self.at = at
    }

    /// True when `other` asks the same question (same series, same two answers).
    func sameQuestion(as other: ReviewRecord) -> Bool {
        seriesInstanceUID == other.seriesInstanceUID && metadataAnswer == other.metadataAnswer
            && pixelAnswer == other.pixelAnswer
    }
}
