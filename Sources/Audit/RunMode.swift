import GRDB

/// What kind of run a `runs` row is (its `mode` column, stored as its text).
public enum RunMode: String, Codable, Sendable, Hashable, CaseIterable, DatabaseValueConvertible {
    /// `clean --dry-run`: nothing written.
    case dryRun = "dry-run"
    /// `clean --out DIR`.
    case out
    /// `clean --in-place`.
    case inPlace = "in-place"
    /// `bodypart proxy`.
    case proxy
    /// `audit revert`.
    case revert

    /// True for the runs that write files (`out`, `in-place`): the ones a revert can undo.
    public var writesFiles: Bool { self == .out || self == .inPlace }
}
