import Foundation
import GRDB

/// The decision made for one series in one run (a row of the hash-chained
/// `decisions` table): what was predicted, how sure, what the policy did and why.
public struct DecisionRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, ChainedRecord {
    /// The table name.
    public static let databaseTableName = "decisions"
    /// Row id, assigned by the store.
    public var id: Int64?
    /// The run that made the decision.
    public var runID: Int64
    /// StudyInstanceUID (0020,000D) of the series.
    public var studyInstanceUID: String
    /// SeriesInstanceUID (0020,000E).
    public var seriesInstanceUID: String
    /// Modality (0008,0060), when present.
    public var modality: String?
    /// The predicted BodyPartExamined defined term, if the model answered.
    public var predictedBodyPart: String?
    /// The calibrated confidence of the prediction, 0...1.
    public var confidence: Double
    /// FILLED, NORMALIZED, CORRECTED, CONFIRMED, ABSTAINED, FLAGGED or SKIPPED
    /// (the `decision` column, stored as its text).
    public var kind: DecisionKind
    /// Why, in words (the policy rule that applied).
    public var reason: String
    /// The model's evidence (features, rules, scores) as JSON.
    public var evidenceJSON: String
    /// BodyPartExamined (0018,0015) before the run.
    public var currentBodyPartExamined: String?
    /// BodyPartExamined written by the run, nil when unchanged.
    public var newBodyPartExamined: String?
    /// Number of instances of the series the decision applied to.
    public var files: Int
    /// When the decision was recorded (stored to the millisecond, UTC).
    public var createdAt: Date
    /// PatientID (0010,0020) of the series, for the console's search (schema
    /// `v4`; nil in older rows and when the series has none).
    public var patientID: String?
    /// AccessionNumber (0008,0050) of the series' study (schema `v5`, as `patientID`).
    public var accessionNumber: String?
    /// Hash of the previous `decisions` row (set by the store).
    public internal(set) var prevHash: String?
    /// This row's hash (set by the store).
    public internal(set) var hash: String?

    /// The decision values every run writes, as text (for options and forms).
    public static let decisions = DecisionKind.allCases.map(\.rawValue)

    /// The decision as text (`kind.rawValue`), for pages that still take strings.
    @available(*, deprecated, message: "use kind (typed), or kind.rawValue for the text")
    public var decision: String { kind.rawValue }

    /// The stored columns: `kind` is the `decision` column.
    enum CodingKeys: String, CodingKey {
        case id, runID, studyInstanceUID, seriesInstanceUID, modality, predictedBodyPart, confidence
        case kind = "decision"
        case reason, evidenceJSON, currentBodyPartExamined, newBodyPartExamined, files, createdAt, patientID
        case accessionNumber, prevHash, hash
    }

    /// A decision to append; `id` and the hashes are set by the store.
    public init(id: Int64? = nil, runID: Int64, studyInstanceUID: String, seriesInstanceUID: String,
                modality: String? = nil, predictedBodyPart: String? = nil, confidence: Double, decision: DecisionKind,
                reason: String, evidenceJSON: String = "{}", currentBodyPartExamined: String? = nil,
                newBodyPartExamined: String? = nil, files: Int, createdAt: Date = Date(), patientID: String? = nil,
                accessionNumber: String? = nil) {
        self.id = id
        self.runID = runID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.modality = modality
        self.predictedBodyPart = predictedBodyPart
        self.confidence = confidence
        self.kind = decision
        self.reason = reason
        self.evidenceJSON = evidenceJSON
        self.currentBodyPartExamined = currentBodyPartExamined
        self.newBodyPartExamined = newBodyPartExamined
        self.files = files
        self.createdAt = createdAt
        self.patientID = patientID.flatMap { $0.isEmpty ? nil : $0 }
        self.accessionNumber = accessionNumber.flatMap { $0.isEmpty ? nil : $0 }
    }
}
