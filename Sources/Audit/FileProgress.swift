import GRDB

/// How far a run got with one input file (the operational `file_progress`
/// table, keyed by run and source path; not hash-chained, since a resume may
/// overwrite a `failed` row with `written`).
public struct FileProgress: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "file_progress"
    /// The run.
    public var runID: Int64
    /// The file read.
    public var sourcePath: String
    /// The file written, if any.
    public var outputPath: String?
    /// How far the run got with the file (stored as its text).
    public var status: ProgressStatus
    /// SeriesInstanceUID of the file, when it was read (schema `v3`; nil in
    /// older files and for inputs that are not DICOM). Finds a series' files
    /// for previews even when no attribute of it changed (FLAGGED).
    public var seriesInstanceUID: String?

    /// The allowed values of `status`.
    public static let statuses = ProgressStatus.allCases.map(\.rawValue)

    /// Progress of one file.
    public init(runID: Int64, sourcePath: String, outputPath: String? = nil, status: ProgressStatus,
                seriesInstanceUID: String? = nil) {
        self.runID = runID
        self.sourcePath = sourcePath
        self.outputPath = outputPath
        self.status = status
        self.seriesInstanceUID = seriesInstanceUID
    }
}

extension FileProgress {
    /// Stores each row, replacing the row of the same run and path (a
    /// resume may turn `failed` into `written`): one prepared statement for
    /// all rows instead of the record's `Codable` encoding per row, since
    /// `clean` writes one row per file. Same columns and values as
    /// `insert(db, onConflict: .replace)`.
    static func insertOrReplace(_ rows: [FileProgress], _ db: Database) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO file_progress (runID, sourcePath, outputPath, status, seriesInstanceUID) \
            VALUES (?, ?, ?, ?, ?)
            """)
        for row in rows {
            try statement.execute(arguments: [row.runID, row.sourcePath, row.outputPath, row.status.rawValue,
                                              row.seriesInstanceUID])
        }
    }
}

/// A `file_progress` status, stored as its text: a resume skips every file
/// that has one.
public enum ProgressStatus: String, Codable, Sendable, Hashable, CaseIterable, DatabaseValueConvertible {
    /// Written (edited, or copied into an output tree).
    case written
    /// Read; nothing to change (in place or dry run).
    case unchanged
    /// Not DICOM, or copied unchanged because it could not be edited; its error is audited.
    case skipped
    /// Neither edited nor copied; its error is audited.
    case failed
}
