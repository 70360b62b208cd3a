import Audit
import Foundation
import GRDB
import Testing

/// The proxy's routing rows (schema v4): append-only, hash-chained; a prior
/// moved to a destination is known from them across runs.
@Suite struct RoutingRecordTests {
    static func row(_ run: Int64, _ kind: String, destination: String? = "APP@h:1", prior: String? = nil, status: String? = nil)
        -> RoutingRecord
    {
        RoutingRecord(runID: run, kind: kind, studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4", rule: "brain",
                      destination: destination, priorStudyInstanceUID: prior, status: status, detail: "why", createdAt: Sample.date)
    }

    @Test func routesPriorsAndTheChain() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let store = temp.store
        let run = try store.startRun(Sample.run())
        try store.append(decisions: [], changes: [], errors: [], progress: [], routings: [
            Self.row(run, "route"), Self.row(run, "route", destination: "PACS@h:2"),
            Self.row(run, "prior-match", prior: "9.1"), Self.row(run, "prior-skip", prior: "9.2"),
            Self.row(run, "prior-move", prior: "9.1", status: "success"),
            Self.row(run, "prior-move", destination: "PACS@h:2", prior: "9.3", status: "failed"),
        ])
        #expect(try store.priorsMoved(to: "APP@h:1") == ["9.1"])
        #expect(try store.priorsMoved(to: "PACS@h:2").isEmpty, "a failed move is not a sent prior")
        #expect(try store.routedSeries().map { "\($0.rule) \($0.destination) \($0.series)" } == ["brain APP@h:1 1", "brain PACS@h:2 1"])
        let counts = try store.priorCounts()
        #expect(counts.found == 2 && counts.matched == 1 && counts.moved == 2)
        #expect(try store.routings(series: "1.2.3.4").count == 6)
        #expect(throws: AuditError.self) {
            try store.append(decisions: [], changes: [], errors: [], progress: [], routings: [Self.row(run, "teleported")])
        }
        #expect(try store.verify().ok && store.verify().heads["routings"] != nil)
        let raw = try temp.raw()
        #expect(throws: (any Error).self) { try raw.write { try $0.execute(sql: "DELETE FROM routings") } }
        try raw.write { db in
            try db.execute(sql: "DROP TRIGGER routings_no_update")
            try db.execute(sql: "UPDATE routings SET destination = 'ELSEWHERE' WHERE id = 2")
        }
        #expect(try store.verify().firstBreak?.table == "routings")
    }

    /// A file written before v4 has no routing (read as empty) and is migrated on the first write.
    @Test func olderFileWithoutRoutings() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        _ = try temp.store.startRun(Sample.run())
        try temp.raw().write { db in
            try db.execute(sql: "DROP TABLE routings")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4'")
        }
        let old = try AuditStore(path: temp.path, readOnly: true)
        #expect(try old.priorsMoved(to: "X").isEmpty && old.routedSeries().isEmpty && old.verify().ok)
        let upgraded = try AuditStore(path: temp.path)
        try upgraded.append(decisions: [], changes: [], errors: [], progress: [], routings: [Self.row(1, "route")])
        #expect(try upgraded.routings(study: "1.2.3").count == 1)
    }
}
