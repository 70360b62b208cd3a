import Audit
import Foundation

/// What became of one input file, typed where it is decided; stored as the
/// text of `FileProgress.status` (`progressStatus`).
public enum FileOutcome: String, Sendable, Hashable, CaseIterable {
    /// Read, nothing to change (in place or dry run).
    case unchanged
    /// Dry run: changes planned, nothing written.
    case wouldWrite = "would-write"
    /// Edited and written (in place, into the output tree, or forwarded).
    case written
    /// Nothing to change; copied byte for byte into the output tree.
    case copied
    /// Cannot be edited (unreadable, truncated, incomplete header, edit
    /// refused): copied byte for byte into the output tree or forwarded
    /// unchanged, its error audited.
    case copiedUnedited = "copied-unedited"
    /// Neither edited nor copied; its error audited.
    case failed

    /// The `file_progress` status recorded for this outcome (a resume skips
    /// every file that has one).
    public var progressStatus: ProgressStatus {
        switch self {
        case .written, .copied: .written
        case .wouldWrite, .unchanged: .unchanged
        case .copiedUnedited: .skipped
        case .failed: .failed
        }
    }

    /// True when the planned changes reached (or, in a dry run, would reach) the output.
    public var carriesChanges: Bool { self == .written || self == .wouldWrite }
}

/// Why a change row was written.
public enum ChangeReason: String, Sendable, Hashable {
    /// The policy asked for it (clean, proxy).
    case policy
    /// A dry run: recorded, not written.
    case dryRun = "dry run"
}

/// The audit rows of the filter, built in one place for `clean` and the
/// proxy, so that a series decided and edited by either reads the same in
/// the audit: the decision row (`SeriesDecision.auditRecord`: evidence,
/// alternatives, hanging category, description fills, pixel opinion), one
/// change row per planned change, error and progress rows.
public struct AuditRows: Sendable {
    public let runID: Int64

    public init(runID: Int64) { self.runID = runID }

    /// The series' decision row.
    public func decision(_ decision: SeriesDecision, studyInstanceUID: String, seriesInstanceUID: String, modality: String?,
                         files: Int, patientID: String? = nil, accessionNumber: String? = nil, at: Date = Date()) -> DecisionRecord {
        decision.auditRecord(runID: runID, studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID,
                             modality: modality, files: files, patientID: patientID, accessionNumber: accessionNumber, at: at)
    }

    /// One row per change of one object read from `source` and written to `output`.
    public func changes(_ changes: [PlannedChange], seriesInstanceUID: String, sopInstanceUID: String, source: String,
                        output: String, reason: ChangeReason = .policy, at: Date = Date()) -> [ChangeRecord] {
        changes.map {
            ChangeRecord(runID: runID, seriesInstanceUID: seriesInstanceUID, sopInstanceUID: sopInstanceUID, sourcePath: source,
                         outputPath: output, tag: $0.tag.description, keyword: $0.keyword, oldValue: $0.oldValue,
                         newValue: $0.newValue, reason: reason.rawValue, createdAt: at)
        }
    }

    /// An input that could not be (fully) handled.
    public func error(path: String, kind: String, message: String, at: Date = Date()) -> ErrorRecord {
        ErrorRecord(runID: runID, path: path, kind: kind, message: message, createdAt: at)
    }

    /// How far the run got with `source`.
    public func progress(source: String, output: String?, outcome: FileOutcome, seriesInstanceUID: String?) -> FileProgress {
        FileProgress(runID: runID, sourcePath: source, outputPath: output, status: outcome.progressStatus,
                     seriesInstanceUID: seriesInstanceUID.flatMap { $0.isEmpty ? nil : $0 })
    }
}
