import Foundation

/// Which decisions `AuditStore.decisions(filter:)` returns; nil fields match everything.
public struct DecisionFilter: Sendable, Hashable {
    /// Only this run.
    public var runID: Int64?
    /// Only this decision (FILLED, FLAGGED, ...).
    public var decision: String?
    /// Only this SeriesInstanceUID.
    public var series: String?
    /// Only series whose predicted, old or new BodyPartExamined is this term (case-insensitive).
    public var bodyPart: String?
    /// Only decisions recorded at or after this time.
    public var since: Date?
    /// Only this StudyInstanceUID.
    public var study: String?
    /// Only this PatientID (exact; decisions recorded before schema v5 have none).
    public var patientID: String?
    /// Only this AccessionNumber (exact; as `patientID`).
    public var accessionNumber: String?

    /// A filter; no arguments means all decisions.
    public init(runID: Int64? = nil, decision: String? = nil, series: String? = nil, bodyPart: String? = nil,
                since: Date? = nil, study: String? = nil, patientID: String? = nil, accessionNumber: String? = nil) {
        self.runID = runID
        self.decision = decision
        self.series = series
        self.bodyPart = bodyPart
        self.since = since
        self.study = study
        self.patientID = patientID
        self.accessionNumber = accessionNumber
    }
}
