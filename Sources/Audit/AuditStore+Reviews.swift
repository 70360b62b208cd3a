import Foundation
import GRDB

extension AuditStore {
    /// The review queue: each series' newest review row (its current state),
    /// in order of opening, optionally only those with `status`.
    public func reviewQueue(status: ReviewStatus? = nil) throws(AuditError) -> [ReviewRecord] {
        try read { db in
            guard try db.tableExists(ReviewRecord.databaseTableName) else { return [] }
            var rows = try ReviewRecord.fetchAll(db, sql: """
                SELECT * FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY seriesInstanceUID)
                ORDER BY (SELECT MIN(id) FROM reviews r WHERE r.seriesInstanceUID = reviews.seriesInstanceUID)
                """)
            if let status { rows = rows.filter { $0.state == status } }
            return rows
        }
    }

    /// The review queue of the status named by its text (`open`...); an
    /// unknown name is `AuditError.invalidValue`.
    public func reviewQueue(status text: String) throws(AuditError) -> [ReviewRecord] {
        try reviewQueue(status: Self.reviewStatus(text))
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
    public func recordReview(series: String, status: ReviewStatus, label: String?, reviewer: String, note: String?,
                             at: Date = Date()) throws(AuditError) -> ReviewRecord {
        let path = path
        return try write { db in
            guard var row = try Self.latestReview(db, series: series) else {
                throw AuditError.noReview(path: path, series: series)
            }
            (row.id, row.prevHash, row.hash) = (nil, nil, nil)
            (row.state, row.label, row.reviewer, row.note, row.at) = (status, label, reviewer, note, at)
            return try HashChain.append([row], db)[0]
        }
    }

    /// `recordReview` with the status named by its text (`accepted`...); an
    /// unknown name is `AuditError.invalidValue`.
    @discardableResult
    public func recordReview(series: String, status text: String, label: String?, reviewer: String, note: String?,
                             at: Date = Date()) throws(AuditError) -> ReviewRecord {
        try recordReview(series: series, status: Self.reviewStatus(text), label: label, reviewer: reviewer, note: note, at: at)
    }

    /// The review status named `text`, or `invalidValue`.
    static func reviewStatus(_ text: String) throws(AuditError) -> ReviewStatus {
        guard let status = ReviewStatus(rawValue: text) else {
            throw .invalidValue(field: "review status", value: text, allowed: ReviewRecord.statuses)
        }
        return status
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
