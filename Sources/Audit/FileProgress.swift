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
    /// `written`, `unchanged`, `skipped` or `failed`.
    public var status: String
    /// SeriesInstanceUID of the file, when it was read (schema `v3`; nil in
    /// older files and for inputs that are not DICOM). Finds a series' files
    /// for previews even when no attribute of it changed (FLAGGED).
    public var seriesInstanceUID: String?

    /// The allowed values of `status`.
    public static let statuses = ["written", "unchanged", "skipped", "failed"]

    /// Progress of one file.
    public init(runID: Int64, sourcePath: String, outputPath: String? = nil, status: String, seriesInstanceUID: String? = nil) {
        self.runID = runID
        self.sourcePath = sourcePath
        self.outputPath = outputPath
        self.status = status
        self.seriesInstanceUID = seriesInstanceUID
    }
}
