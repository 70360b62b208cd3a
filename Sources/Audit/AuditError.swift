/// Why an audit store operation failed; each case prints as one line a person
/// can act on (what, which database, what to do).
public enum AuditError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The database file cannot be opened or created (missing, permissions, not a file).
    case cannotOpen(path: String, reason: String)
    /// The file exists but is not a bodypart audit database (not SQLite, or another schema).
    case notAuditDatabase(path: String)
    /// The database was migrated by a newer bodypart whose schema this one does not know.
    case schemaNewer(path: String)
    /// A write was attempted on a store opened read-only.
    case readOnly(path: String)
    /// A write transaction failed; nothing of it was stored.
    case writeFailed(path: String, reason: String)
    /// A query failed.
    case readFailed(path: String, reason: String)
    /// No run with this id in the database.
    case unknownRun(path: String, id: Int64)
    /// No review of this series in the queue.
    case noReview(path: String, series: String)
    /// A field holds a value outside its allowed set (for example a run status).
    case invalidValue(field: String, value: String, allowed: [String])

    /// One line describing the failure and what to do about it.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open the audit database (\(reason)); check the path and permissions"
        case .notAuditDatabase(let path):
            return "\(path): not a bodypart audit database; give the file a clean run wrote (--audit FILE)"
        case .schemaNewer(let path):
            return "\(path): the audit database was written by a newer bodypart; upgrade bodypart to read it"
        case .readOnly(let path):
            return "\(path): the audit database was opened read-only; cannot write to it"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write to the audit database (\(reason)); nothing of this batch was stored"
        case .readFailed(let path, let reason):
            return "\(path): cannot read the audit database (\(reason))"
        case .unknownRun(let path, let id):
            return "\(path): no run \(id) in the audit database; `bodypart audit summary` lists the runs"
        case .noReview(let path, let series):
            return "\(path): series \(series) is not in the review queue; `bodypart review list` shows the queue"
        case .invalidValue(let field, let value, let allowed):
            return "invalid \(field) '\(value)'; use one of \(allowed.joined(separator: ", "))"
        }
    }
}
