import Foundation
import GRDB

/// An input a run could not handle (a row of the hash-chained `errors` table).
public struct ErrorRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, ChainedRecord {
    /// The table name.
    public static let databaseTableName = "errors"
    /// Row id, assigned by the store.
    public var id: Int64?
    /// The run that met the error.
    public var runID: Int64
    /// The file or peer concerned.
    public var path: String
    /// A short machine-readable kind (`not-dicom`, `write`, `truncated`, ...).
    public var kind: String
    /// The one-line message shown to the user.
    public var message: String
    /// When it happened (stored to the millisecond, UTC).
    public var createdAt: Date
    /// Hash of the previous `errors` row (set by the store).
    public internal(set) var prevHash: String?
    /// This row's hash (set by the store).
    public internal(set) var hash: String?

    /// An error to append; `id` and the hashes are set by the store.
    public init(id: Int64? = nil, runID: Int64, path: String, kind: String, message: String, createdAt: Date = Date()) {
        self.id = id
        self.runID = runID
        self.path = path
        self.kind = kind
        self.message = message
        self.createdAt = createdAt
    }
}
