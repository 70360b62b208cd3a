import Foundation
import GRDB
import Testing

@testable import Audit

/// Issue 14.9: `verify` alone is fooled by an edit whose chain is re-hashed
/// (the canonical form is documented); an anchor kept outside the file is not.
@Suite struct AnchorTests {
    /// Edits `changes` row `id` and re-hashes it and every later row, as a forger would.
    static func forge(_ temp: TempStore, id: Int64) throws {
        try temp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update")
            try db.execute(sql: "UPDATE changes SET newValue = 'PELVIS' WHERE id = ?", arguments: [id])
            var previous: String = try String.fetchOne(db, sql: "SELECT hash FROM changes WHERE id = ?", arguments: [id - 1])
                ?? HashChain.genesis
            for row in try Row.fetchAll(db, sql: "SELECT * FROM changes WHERE id >= ? ORDER BY id", arguments: [id]) {
                let values = Array(row.columnNames).map { ($0, row[$0] as DatabaseValue) }
                let hash = HashChain.hash(prevHash: previous, values: values)
                try db.execute(sql: "UPDATE changes SET prevHash = ?, hash = ? WHERE id = ?",
                               arguments: [previous, hash, row["id"] as Int64])
                previous = hash
            }
        }
    }

    @Test func rehashedEditPassesVerifyButNotTheAnchor() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let anchor = try temp.store.anchor()
        #expect(try temp.store.verify().anchor == anchor, "the run's anchor and verify's agree")
        try Self.forge(temp, id: 2)
        #expect(try temp.store.verify().ok, "the forgery fools a plain verify")
        let checked = try temp.store.verify(expected: anchor)
        #expect(checked.anchorMismatch?.contains("re-hashed") == true, "\(String(describing: checked.anchorMismatch))")
    }

    @Test func laterRunsKeepAnAnchorValidAndCutsBreakIt() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let anchor = try temp.store.anchor()
        try Sample.fill(temp.store)
        #expect(try temp.store.verify(expected: anchor).anchorMismatch == nil)
        #expect(try temp.store.anchor() != anchor)
        try temp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_delete")
            try db.execute(sql: "DELETE FROM changes WHERE id > 2")
        }
        #expect(try temp.store.verify().ok, "a cut tail is invisible from inside the file")
        #expect(try temp.store.verify(expected: anchor).anchorMismatch?.contains("rows were cut") == true)
    }

    /// An anchor kept before schema v4 (six tables, no `routings`) is still checked after the upgrade.
    @Test func anAnchorFromBeforeTheRoutingsTableStillVerifies() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let heads = try temp.store.verify().heads
        let now = try temp.store.anchor()
        let six = ["runs", "run_events", "decisions", "changes", "errors", "reviews"]
        let digest = SHA256.hex(six.enumerated().map { "\($1):\(now.rows[$0]):\(heads[$1] ?? String(repeating: "0", count: 64))" }
            .joined(separator: "\n"))
        let old = try #require(AuditAnchor(now.rows.prefix(6).map(String.init).joined(separator: ".") + "-" + digest))
        #expect(try temp.store.verify(expected: old).anchorMismatch == nil)
        let forged = try #require(AuditAnchor(now.rows.prefix(6).map(String.init).joined(separator: ".") + "-" + String(digest.reversed())))
        #expect(try temp.store.verify(expected: forged).anchorMismatch != nil)
        #expect(AuditAnchor("1.2.3.4.5-" + digest) == nil, "five tables never existed")
    }

    @Test func anchorTextRoundTrips() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let anchor = try temp.store.anchor()
        #expect(anchor.description.hasPrefix("1.2.7.4.1.0.0-"))  // rows per chained table, routings (v4) last
        #expect(AuditAnchor(anchor.description) == anchor)
        #expect(AuditAnchor("1.2.3-abc") == nil)
    }
}

/// Issue 14.11: audit-file details found by the probes.
@Suite struct AuditFileDetailsTests {
    @Test func proxySeriesCountTheirObjectsNotTheirFirst() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try temp.store.startRun(RunRecord(jobKey: "proxy-1", command: "bodypart proxy", mode: .proxy,
                                                      policyHash: "p", modelID: "m", host: "h", startedAt: Sample.date,
                                                      status: .running))
        var decision = Sample.decisions(runID: runID)[0]
        decision.files = 1
        // Three objects of the series, two of them sent to two destinations.
        let progress = ["a/1.dcm", "a/2.dcm", "a/3.dcm", "b/1.dcm", "b/2.dcm"].map {
            FileProgress(runID: runID, sourcePath: "spool:" + $0, outputPath: "PACS@h:104", status: .written,
                         seriesInstanceUID: decision.seriesInstanceUID)
        }
        try temp.store.append(decisions: [decision], changes: [], errors: [], progress: progress)
        #expect(try temp.store.summary(runID: runID).files == 3)
    }

    @Test func reportShowsThePrivateBlockElementsNotAGroupLength() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try temp.store.startRun(Sample.run())
        var decision = Sample.decisions(runID: runID)[0]
        decision.kind = .flagged
        let change = ChangeRecord(runID: runID, seriesInstanceUID: decision.seriesInstanceUID, sopInstanceUID: "1.2.9",
                                  sourcePath: "/a.dcm", outputPath: "/b.dcm", tag: "(0077,0000)", keyword: "BodyPartPrediction",
                                  oldValue: nil, newValue: "FLAGGED CHEST 0.95 m", reason: "policy", createdAt: Sample.date)
        try temp.store.append(decisions: [decision], changes: [change], errors: [], progress: [])
        let html = try HTMLReport.load(from: temp.store, runID: runID).render()
        #expect(html.contains("FLAGGED CHEST 0.95 m"))
        #expect(!html.contains(">(0077,0000)<"))
        #expect(html.contains("(0077,&quot;BODYPART PREDICTION 1&quot;,07 01 05 08)"))
    }
}
