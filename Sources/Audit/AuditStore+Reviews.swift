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

    /// The newest review row of a series, or nil.
    static func latestReview(_ db: Database, series: String) throws -> ReviewRecord? {
        try ReviewRecord.filter(Column("seriesInstanceUID") == series).order(Column("id").desc).fetchOne(db)
    }
}
