import Foundation
import GRDB

extension AuditStore {
    /// The review queue: each series' newest review row (its current state),
    /// in order of opening, optionally only those with `status`.
    public func reviewQueue(status: String? = nil) throws(AuditError) -> [ReviewRecord] {
        if let status { try Self.validate("review status", status, ReviewRecord.statuses) }
        return try read { db in
            guard try db.tableExists(ReviewRecord.databaseTableName) else { return [] }
            var rows = try ReviewRecord.fetchAll(db, sql: """
                SELECT * FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY seriesInstanceUID)
                ORDER BY (SELECT MIN(id) FROM reviews r WHERE r.seriesInstanceUID = reviews.seriesInstanceUID)
                """)
            if let status { rows = rows.filter { $0.status == status } }
            return rows
        }
    }

    /// Every review row of one series, oldest first (its history).
    public func reviews(series: String) throws(AuditError) -> [ReviewRecord] {
        try read { db in
            guard try db.tableExists(ReviewRecord.databaseTableName) else { return [] }
            return try ReviewRecord.filter(Column("seriesInstanceUID") == series).order(Column("id")).fetchAll(db)
        }
    }

    /// Records a reviewer's verdict on a series in the queue: appends a row
    /// with the new `status` (`accepted`, `rejected`, `relabelled` or `open`
    /// again), the `label` settled on, who and why; the answers are carried
    /// over from the series' newest row. Returns the row written.
    @discardableResult
    public func recordReview(series: String, status: String, label: String?, reviewer: String, note: String?,
                             at: Date = Date()) throws(AuditError) -> ReviewRecord {
        try Self.validate("review status", status, ReviewRecord.statuses)
        let path = path
        return try write { db in
            guard var row = try Self.latestReview(db, series: series) else {
                throw AuditError.noReview(path: path, series: series)
            }
            (row.id, row.prevHash, row.hash) = (nil, nil, nil)
            (row.status, row.label, row.reviewer, row.note, row.at) = (status, label, reviewer, note, at)
            return try HashChain.append([row], db)[0]
        }
    }

    /// The files the audit names for a series, to read its headers again (retraining from
    /// reviews): the written outputs of its changes, then the files read, each list newest run
    /// first and without repeats. Empty when no change names the series (for example with the
    /// private block off); then ``files(runID:)`` lists every file of the run.
    public func files(series: String) throws(AuditError) -> (outputs: [String], sources: [String]) {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT outputPath, sourcePath FROM changes WHERE seriesInstanceUID = ? ORDER BY runID DESC, id
                """, arguments: [series])
            var outputs: [String] = [], sources: [String] = [], seen = Set<String>()
            for row in rows {
                let output: String = row["outputPath"], source: String = row["sourcePath"]
                if !output.isEmpty, seen.insert("o" + output).inserted { outputs.append(output) }
                if seen.insert("s" + source).inserted { sources.append(source) }
            }
            return (outputs, sources)
        }
    }

    /// Every file a run handled (`file_progress`): the output written, else the file read.
    public func files(runID: Int64) throws(AuditError) -> [String] {
        try read { db in
            try FileProgress.filter(Column("runID") == runID).order(Column("sourcePath")).fetchAll(db)
                .map { $0.outputPath ?? $0.sourcePath }
        }
    }

    /// The newest review row of a series, or nil.
    static func latestReview(_ db: Database, series: String) throws -> ReviewRecord? {
        try ReviewRecord.filter(Column("seriesInstanceUID") == series).order(Column("id").desc).fetchOne(db)
    }
}
