import GRDB

/// How a run stands (the `status` column of `run_events`, stored as its
/// text): a run starts `running` and each later status appends a row.
public enum RunStatus: String, Codable, Sendable, Hashable, CaseIterable, DatabaseValueConvertible {
    /// Started (or resumed) and not ended.
    case running
    /// Every input handled.
    case done
    /// Stopped by a signal or a stop request; the same command resumes it.
    case interrupted
    /// Ended by an error.
    case failed

    /// The statuses a run may end with (`AuditStore.finishRun`).
    public static let endings: [RunStatus] = [.done, .interrupted, .failed]
}
