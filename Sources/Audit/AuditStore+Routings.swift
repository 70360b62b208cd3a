import Foundation
import GRDB

extension AuditStore {
    /// The routing rows of a series (where it went and why; the priors it fetched), oldest first.
    /// Empty for a file written before schema `v4`.
    public func routings(series: String) throws(AuditError) -> [RoutingRecord] {
        try read { db in
            guard try db.tableExists(RoutingRecord.databaseTableName) else { return [] }
            return try RoutingRecord.filter(Column("seriesInstanceUID") == series).order(Column("id")).fetchAll(db)
        }
    }

    /// The routing rows of a study (the new study's priors included), oldest first.
    public func routings(study: String) throws(AuditError) -> [RoutingRecord] {
        try read { db in
            guard try db.tableExists(RoutingRecord.databaseTableName) else { return [] }
            return try RoutingRecord.filter(Column("studyInstanceUID") == study).order(Column("id")).fetchAll(db)
        }
    }

    /// Prior studies already moved to `destination` (any run): a prior is sent to a destination once.
    public func priorsMoved(to destination: String) throws(AuditError) -> Set<String> {
        try read { db in
            guard try db.tableExists(RoutingRecord.databaseTableName) else { return [] }
            return Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT priorStudyInstanceUID FROM routings
                WHERE kind = 'prior-move' AND status = 'success' AND destination = ? AND priorStudyInstanceUID IS NOT NULL
                """, arguments: [destination]))
        }
    }

    /// Series routed per rule and destination (all runs, or `runID`'s).
    public func routedSeries(runID: Int64? = nil) throws(AuditError) -> [(rule: String, destination: String, series: Int)] {
        try read { db in
            guard try db.tableExists(RoutingRecord.databaseTableName) else { return [] }
            let filter = runID == nil ? "" : " AND runID = \(runID!)"
            return try Row.fetchAll(db, sql: """
                SELECT rule, COALESCE(destination, '(nowhere)') AS destination, COUNT(DISTINCT seriesInstanceUID) AS n
                FROM routings WHERE kind = 'route'\(filter) GROUP BY rule, destination ORDER BY rule, destination
                """).map { (rule: $0["rule"], destination: $0["destination"], series: $0["n"]) }
        }
    }
}

extension AuditStore {
    /// Prior studies found (earlier studies the archive returned, per new study and destination), matched, moved and failed
    /// queries or moves, over every run (`proxy status`).
    public func priorCounts() throws(AuditError) -> (found: Int, matched: Int, moved: Int, failed: Int) {
        try read { db in
            guard try db.tableExists(RoutingRecord.databaseTableName) else { return (0, 0, 0, 0) }
            func count(_ kind: String) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM routings WHERE kind = ?", arguments: [kind]) ?? 0
            }
            // Every prior a query returned gets one match or skip row per (new study, destination).
            let found = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT studyInstanceUID || '|' || COALESCE(destination, '') || '|' || priorStudyInstanceUID) FROM routings
                WHERE kind IN ('prior-match', 'prior-skip') AND priorStudyInstanceUID IS NOT NULL
                """) ?? 0
            return (found, try count("prior-match"), try count("prior-move"), try count("prior-failed"))
        }
    }
}

extension AuditStore {
    /// Prior fetches the proxy gave up on (`prior-failed` rows with status `abandoned`: one per prior
    /// left unmoved, or one for the fetch when the patient's query failed), over every run.
    public func priorsAbandoned() throws(AuditError) -> Int {
        try read { db in
            guard try db.tableExists(RoutingRecord.databaseTableName) else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM routings WHERE kind = 'prior-failed' AND status = 'abandoned'") ?? 0
        }
    }
}
