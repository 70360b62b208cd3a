import Foundation
import GRDB

/// The audit log of every run, decision, change and error, in one SQLite file
/// (WAL mode), append-only and hash-chained per table.
///
/// Open it once per process and share it: it is `Sendable`, and each write is
/// one immediate transaction, so several processes may append to the same file.
/// Times are stored to the millisecond as UTC text (`YYYY-MM-DD HH:MM:SS.SSS`).
public final class AuditStore: Sendable {
    /// The database file.
    public let path: String
    /// The default file name, in the current folder.
    public static let defaultPath = "bodypart-audit.sqlite"

    let reader: any DatabaseReader
    let writer: (any DatabaseWriter)?

    /// Opens the audit database at `path`; unless `readOnly`, creates it when
    /// missing and migrates it to the current schema.
    public init(path: String, readOnly: Bool = false) throws(AuditError) {
        self.path = path
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if isFolder.boolValue { throw .cannotOpen(path: path, reason: "it is a folder") }
        if readOnly && !exists { throw .cannotOpen(path: path, reason: "no such file") }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        do {
            if readOnly {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                (reader, writer) = (queue, nil)
                try queue.read { db in try AuditStore.check(db, path: path, migrate: false) }
            } else {
                let pool = try DatabasePool(path: path, configuration: configuration)
                (reader, writer) = (pool, pool)
                try pool.writeWithoutTransaction { db in try AuditStore.check(db, path: path, migrate: true) }
                try AuditSchema.migrator.migrate(pool)
            }
        } catch let error as AuditError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notAuditDatabase(path: path)
        } catch {
            throw .cannotOpen(path: path, reason: AuditStore.describe(error))
        }
    }

    /// Moves everything from the write-ahead log into the `.sqlite` file and
    /// empties the `-wal`, so that the file alone is a complete audit (a copy
    /// of it, a backup). Called when the store closes; harmless to repeat; a
    /// checkpoint another process blocks is left to the next close.
    public func checkpoint() {
        guard let pool = writer as? DatabasePool else { return }
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    deinit { checkpoint() }

    /// Tells an audit database from other SQLite files and brings it to the current schema.
    private static func check(_ db: Database, path: String, migrate: Bool) throws {
        let migrator = AuditSchema.migrator
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tableCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0
        if applicationID != AuditSchema.applicationID {
            guard migrate && tableCount == 0 else { throw AuditError.notAuditDatabase(path: path) }
        } else if try migrator.hasBeenSuperseded(db) {
            throw AuditError.schemaNewer(path: path)
        }
        // Read-only: a file of an older schema is read as it is (a table a
        // later migration adds reads as empty).
        if !migrate, try !migrator.appliedIdentifiers(db).contains("v1") {
            throw AuditError.notAuditDatabase(path: path)
        }
    }

    // MARK: Runs

    /// Records the start of a run (status normally `running`) and returns its id.
    public func startRun(_ run: RunRecord) throws(AuditError) -> Int64 {
        return try write { db in
            let row = try HashChain.append([RunRow(run)], db)[0]
            let id = row.id!
            try HashChain.append([RunEvent(runID: id, status: run.status, at: run.startedAt, countsJSON: run.countsJSON)], db)
            return id
        }
    }

    /// The newest run with this job key whose status is `running` or `interrupted`, for a resume.
    public func resumableRun(jobKey: String) throws(AuditError) -> RunRecord? {
        try read { db in
            try RunRecord.fetchOne(db, sql: RunRecord.selectSQL + """
                 WHERE r.jobKey = ? AND e.status IN ('running', 'interrupted') ORDER BY r.id DESC LIMIT 1
                """, arguments: [jobKey])
        }
    }

    /// Marks a resumed run as running again (appends a `running` status row; counts carry over).
    public func markRunning(id: Int64) throws(AuditError) {
        try appendEvent(runID: id, status: .running, counts: nil)
    }

    /// Records how a run ended: `done`, `interrupted` or `failed`, with its counts.
    public func finishRun(id: Int64, status: RunStatus, counts: [String: Int]) throws(AuditError) {
        try Self.validate("run status", status.rawValue, RunStatus.endings.map(\.rawValue))
        try appendEvent(runID: id, status: status, counts: RunRecord.countsText(counts))
    }

    private func appendEvent(runID: Int64, status: RunStatus, counts: String?) throws(AuditError) {
        let path = path
        try write { db in
            let last = try String.fetchOne(
                db, sql: "SELECT countsJSON FROM run_events WHERE runID = ? ORDER BY id DESC LIMIT 1", arguments: [runID])
            guard let last else { throw AuditError.unknownRun(path: path, id: runID) }
            try HashChain.append([RunEvent(runID: runID, status: status, at: Date(), countsJSON: counts ?? last)], db)
        }
    }

    // MARK: Batches

    /// Appends a batch of decisions, changes, errors and file progress in ONE
    /// transaction: all of it is stored, or none (then `writeFailed`).
    /// `reviews` open review-queue entries; one that asks the same question
    /// as the series' newest review (same two answers) is left out, so that
    /// a rerun or resume never opens a series twice or undoes a verdict.
    public func append(decisions: [DecisionRecord], changes: [ChangeRecord], errors: [ErrorRecord],
                       progress: [FileProgress], reviews: [ReviewRecord] = [], routings: [RoutingRecord] = []) throws(AuditError) {
        for routing in routings { try Self.validate("routing kind", routing.kind, RoutingRecord.kinds) }
        try write { db in
            try HashChain.append(decisions, db)
            try HashChain.append(changes, db)
            try HashChain.append(errors, db)
            try FileProgress.insertOrReplace(progress, db)
            for review in reviews where try Self.latestReview(db, series: review.seriesInstanceUID)?.sameQuestion(as: review) != true {
                try HashChain.append([review], db)
            }
            try HashChain.append(routings, db)
        }
    }

    /// Source paths of `runID` that already have a progress row (a resume skips them).
    public func completedFiles(runID: Int64) throws(AuditError) -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT sourcePath FROM file_progress WHERE runID = ?", arguments: [runID]))
        }
    }

    /// Source paths of `runID` that have change rows (a resume does not
    /// record their changes again).
    public func changedFiles(runID: Int64) throws(AuditError) -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT sourcePath FROM changes WHERE runID = ?", arguments: [runID]))
        }
    }

    /// The files a run recorded for `series` (any run when `runID` is nil),
    /// in run and path order. Empty for a file written before schema `v3`,
    /// which did not record the series of a file.
    public func files(series: String, runID: Int64? = nil) throws(AuditError) -> [FileProgress] {
        try read { db in
            guard try db.columns(in: FileProgress.databaseTableName).contains(where: { $0.name == "seriesInstanceUID" }) else { return [] }
            var request = FileProgress.filter(Column("seriesInstanceUID") == series)
            if let runID { request = request.filter(Column("runID") == runID) }
            return try request.order(Column("runID"), Column("sourcePath")).fetchAll(db)
        }
    }

    /// The newest `limit` source paths starting with `prefix` of the runs of
    /// `jobKey`, in descending order (the proxy's spool names start with their
    /// sequence). Reads only those runs' rows (the key starts with the run id).
    public func recentSourcePaths(jobKey: String, prefix: String, limit: Int) throws(AuditError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT sourcePath FROM file_progress
                WHERE runID IN (SELECT id FROM runs WHERE jobKey = ?) AND sourcePath >= ? AND sourcePath < ?
                ORDER BY sourcePath DESC LIMIT ?
                """, arguments: [jobKey, prefix, prefix + "\u{10FFFF}", limit])
        }
    }

    // MARK: Plumbing

    func read<T>(_ body: (Database) throws -> T) throws(AuditError) -> T {
        do {
            return try reader.read(body)
        } catch let error as AuditError {
            throw error
        } catch {
            throw .readFailed(path: path, reason: Self.describe(error))
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(AuditError) -> T {
        guard let writer else { throw .readOnly(path: path) }
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw .writeFailed(path: path, reason: Self.describe(error))
        }
    }

    static func validate(_ field: String, _ value: String, _ allowed: [String]) throws(AuditError) {
        guard allowed.contains(value) else { throw .invalidValue(field: field, value: value, allowed: allowed) }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "SQLite error \(error.resultCode.rawValue)" }
        return String(describing: error)
    }
}
