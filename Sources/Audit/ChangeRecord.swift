import Foundation
import GRDB
import Synchronization

/// One attribute changed in one object (a row of the hash-chained `changes`
/// table): enough to list, explain and revert it.
public struct ChangeRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, ChainedRecord {
    /// The table name.
    public static let databaseTableName = "changes"
    /// Row id, assigned by the store.
    public var id: Int64?
    /// The run that made the change.
    public var runID: Int64
    /// SeriesInstanceUID of the object.
    public var seriesInstanceUID: String
    /// SOPInstanceUID of the object.
    public var sopInstanceUID: String
    /// The file read.
    public var sourcePath: String
    /// The file written (the same as `sourcePath` in place; empty in a dry run).
    public var outputPath: String
    /// The attribute tag as `(gggg,eeee)`, e.g. `(0018,0015)`.
    public var tag: String
    /// The attribute keyword, e.g. `BodyPartExamined`.
    public var keyword: String
    /// The value before, nil when the attribute was absent.
    public var oldValue: String?
    /// The value after, nil when the attribute was removed.
    public var newValue: String?
    /// Why it changed.
    public var reason: String
    /// When the change was recorded (stored to the millisecond, UTC).
    public var createdAt: Date
    /// Hash of the previous `changes` row (set by the store).
    public internal(set) var prevHash: String?
    /// This row's hash (set by the store).
    public internal(set) var hash: String?

    /// A change to append; `id` and the hashes are set by the store.
    public init(id: Int64? = nil, runID: Int64, seriesInstanceUID: String, sopInstanceUID: String, sourcePath: String,
                outputPath: String, tag: String, keyword: String, oldValue: String?, newValue: String?, reason: String,
                createdAt: Date = Date()) {
        self.id = id
        self.runID = runID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
        self.sourcePath = sourcePath
        self.outputPath = outputPath
        self.tag = tag
        self.keyword = keyword
        self.oldValue = oldValue
        self.newValue = newValue
        self.reason = reason
        self.createdAt = createdAt
    }
}

extension ChangeRecord {
    /// The columns as GRDB's `Codable` encoding stores them, spelled out:
    /// one row per change makes this the audit's hot path (a `clean` of
    /// 2,000 files writes ~6,000), and the encoder's per-row containers and
    /// dictionary cost more than the values. Same names, same values (dates
    /// as `Date.databaseValue`, nil as NULL), sorted by name; the hash chain
    /// depends on it (ChangeRecordEncodingTests).
    func chainedValues() throws -> [(String, DatabaseValue)] {
        [("createdAt", ChangeRecord.storedDate(createdAt)), ("hash", hash.databaseValue), ("id", id.databaseValue),
         ("keyword", keyword.databaseValue), ("newValue", newValue.databaseValue), ("oldValue", oldValue.databaseValue),
         ("outputPath", outputPath.databaseValue), ("prevHash", prevHash.databaseValue), ("reason", reason.databaseValue),
         ("runID", runID.databaseValue), ("seriesInstanceUID", seriesInstanceUID.databaseValue),
         ("sopInstanceUID", sopInstanceUID.databaseValue), ("sourcePath", sourcePath.databaseValue), ("tag", tag.databaseValue)]
    }

    /// `date.databaseValue`, formatted once per distinct date: a batch's
    /// rows share one time stamp, and GRDB formats a date with a
    /// DateFormatter on every call.
    static func storedDate(_ date: Date) -> DatabaseValue {
        lastDate.withLock { last in
            if let last, last.date == date { return last.value }
            let value = date.databaseValue
            last = (date, value)
            return value
        }
    }

    private static let lastDate = Mutex<(date: Date, value: DatabaseValue)?>(nil)
}
