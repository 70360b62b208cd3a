import Foundation
import GRDB

extension AuditStore {
    /// The newest decisions that match `filter`, newest first, at most
    /// `limit` after skipping `offset` (pages of a search). Reads by the
    /// primary key backwards, so a page costs the same with 100,000 rows.
    public func recentDecisions(filter: DecisionFilter, limit: Int, offset: Int = 0) throws(AuditError)
        -> [DecisionRecord]
    {
        try read { db in try Self.request(filter).order(Column("id").desc).limit(limit, offset: offset).fetchAll(db) }
    }

    /// The newest `limit` error rows, newest first (any run).
    public func recentErrors(limit: Int) throws(AuditError) -> [ErrorRecord] {
        try read { db in try ErrorRecord.all().order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    /// How many decision rows the audit holds.
    public func decisionCount() throws(AuditError) -> Int {
        try read { db in try DecisionRecord.fetchCount(db) }
    }
}
