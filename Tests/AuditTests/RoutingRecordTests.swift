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

    /// A prior row's detail carries the prior's date and regions; a series' page draws each prior's state from its rows.
    @Test func priorNotesAndThePriorsOfASeriesPage() throws {
        let note = PriorNote(studyDate: "19910301", regions: ["HEAD", "NECK"], text: "region HEAD matches: yes")
        #expect(PriorNote(detail: note.detail) == note)
        #expect(PriorNote(detail: PriorNote(studyDate: nil, regions: [], text: "older").detail)
            == PriorNote(studyDate: nil, regions: [], text: "older"))
        #expect(PriorNote(detail: "C-FIND PatientID P at A: 2 earlier studies") == nil, "rows without a note")
        func row(_ kind: String, _ prior: String?, _ status: String? = nil, _ text: String = "step") -> RoutingRecord {
            RoutingRecord(runID: 1, kind: kind, studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4", rule: "brain",
                          destination: "APP@h:1", priorStudyInstanceUID: prior, status: status,
                          detail: prior == nil ? text : PriorNote(studyDate: "1991030\(prior!.suffix(1))", regions: ["HEAD"], text: text).detail)
        }
        let rows = [row("route", nil), row("prior-query", nil), row("prior-match", "9.1"), row("prior-move", "9.1", "success"),
                    row("prior-match", "9.2"), row("prior-failed", "9.2", "failed"), row("prior-skip", "9.3")]
        func states(_ rows: [RoutingRecord], pending: [SeriesView.PendingFetch] = []) -> [String] {
            var page = HTMLPage()
            SeriesView.drawRouting(&page, rows: rows, pending: pending)
            return page.text.components(separatedBy: "data-state=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        let pending = SeriesView.PendingFetch(destination: "APP@h:1", attempts: 1, maxAttempts: 5, next: Sample.date, lastError: "x")
        #expect(states(rows, pending: [pending]) == ["moved", "pending retry", "not taken", "pending retry"])
        #expect(states(rows) == ["moved", "failed", "not taken"], "nothing pending: the last attempt failed")
        #expect(states(rows + [row("prior-failed", "9.2", "abandoned", "gave up")]) == ["moved", "failed", "not taken"])
        var page = HTMLPage()
        SeriesView.drawRouting(&page, rows: rows)
        #expect(page.text.contains("data-date=\"19910302\" data-region=\"HEAD\""), "\(page.text)")
        var none = HTMLPage()
        SeriesView.drawRouting(&none, rows: [])
        #expect(none.text.isEmpty, "a series without routing rows draws nothing")

        let temp = try TempStore()
        defer { temp.remove() }
        let run = try temp.store.startRun(Sample.run())
        try temp.store.append(decisions: [], changes: [], errors: [], progress: [], routings: [
            Self.row(run, "prior-failed", prior: "9.2", status: "failed"), Self.row(run, "prior-failed", prior: "9.2", status: "abandoned"),
            Self.row(run, "prior-failed", status: "abandoned"),
        ])
        #expect(try temp.store.priorsAbandoned() == 2)
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
