import Audit
import BodypartTesting
import Foundation
import GRDB
import Testing

/// The store on real SQLite files: schema, round trips, resume bookkeeping, bad files.
@Suite struct AuditStoreTests {
    @Test func migrationsCreateTheSchemaInWALMode() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let (tables, triggers, journal) = try temp.raw().read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        for table in ["runs", "run_events", "decisions", "changes", "errors", "reviews", "routings", "file_progress", "grdb_migrations"] {
            #expect(tables.contains(table), "\(table) in \(tables)")
        }
        #expect(triggers.count == 14)  // no UPDATE, no DELETE on each of the 7 chained tables
        #expect(journal == "wal")
        // Opening again (read-write and read-only) finds it migrated.
        _ = try AuditStore(path: temp.path)
        #expect(try AuditStore(path: temp.path, readOnly: true).runs().isEmpty)
    }

    @Test func appendAndQueryRoundTrip() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try Sample.fill(temp.store)
        let runs = try temp.store.runs()
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        #expect(run.id == runID && run.status == .done && run.jobKey == "job-1" && run.mode == .out)
        #expect(run.startedAt == Sample.date, "millisecond dates round-trip exactly")
        #expect(run.finishedAt != nil)
        #expect(run.counts == ["written": 4, "failed": 1])
        let decisions = try temp.store.decisions(filter: DecisionFilter())
        #expect(decisions.count == 7)
        var expected = Sample.decisions(runID: runID)[5]
        expected.id = 6
        var stored = decisions[5]
        #expect(stored.hash?.count == 64 && stored.prevHash == decisions[4].hash)
        stored = DecisionRecord(id: stored.id, runID: stored.runID, studyInstanceUID: stored.studyInstanceUID,
                                seriesInstanceUID: stored.seriesInstanceUID, modality: stored.modality,
                                predictedBodyPart: stored.predictedBodyPart, confidence: stored.confidence,
                                decision: stored.kind, reason: stored.reason, evidenceJSON: stored.evidenceJSON,
                                currentBodyPartExamined: stored.currentBodyPartExamined,
                                newBodyPartExamined: stored.newBodyPartExamined, files: stored.files,
                                createdAt: stored.createdAt)
        #expect(stored == expected, "every field survives the round trip")
        #expect(try temp.store.decisions(filter: DecisionFilter(decision: "flagged")).map(\.seriesInstanceUID) == ["1.2.5.9"])
        #expect(try temp.store.decisions(filter: DecisionFilter(bodyPart: "lspine")).count == 2)
        #expect(try temp.store.decisions(filter: DecisionFilter(bodyPart: "ABDOMEN")).count == 1, "old value matches")
        #expect(try temp.store.decisions(filter: DecisionFilter(series: "1.2.3.1")).count == 1)
        #expect(try temp.store.decisions(filter: DecisionFilter(runID: runID + 1)).isEmpty)
        #expect(try temp.store.decisions(filter: DecisionFilter(since: Sample.date)).count == 7)
        #expect(try temp.store.decisions(filter: DecisionFilter(since: Sample.date.addingTimeInterval(1))).isEmpty)
        let changes = try temp.store.changes(runID: runID, series: nil)
        #expect(changes.count == 4)
        #expect(changes[3].oldValue == "L_SPINE" && changes[3].newValue == "LSPINE" && changes[3].tag == "(0018,0015)")
        #expect(try temp.store.changes(runID: nil, series: "1.2.3.2").count == 1)
        #expect(try temp.store.errors(runID: runID).map(\.kind) == ["not-dicom"])
    }

    @Test func summaryCountsAndMatrix() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try Sample.fill(temp.store)
        let summary = try temp.store.summary(runID: runID)
        #expect(summary.series == 7 && summary.files == 30 + 10 + 3 + 1 && summary.changes == 4 && summary.errors == 1)
        #expect(summary.byDecision["FILLED"] == 3 && summary.byDecision["CORRECTED"] == 0)
        #expect(summary.byModality == ["CT": 4, "MR": 2, "-": 1])
        #expect(summary.byPredictedBodyPart["-"] == 1)
        #expect(summary.confidenceHistogram[9] == 3 && summary.confidenceHistogram[3] == 1)
        #expect(summary.transitions.map { "\($0.from ?? "-")>\($0.to)=\($0.count)" } == ["->CHEST=3", "L_SPINE>LSPINE=2"])
        #expect(throws: AuditError.unknownRun(path: temp.path, id: 99)) { try temp.store.summary(runID: 99) }
    }

    /// A series decided again in the same run (the proxy's pixel check after
    /// forwarding) counts once, by its newest row; both rows stay listed.
    @Test func summaryCountsASeriesDecidedTwiceOnce() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try Sample.fill(temp.store)
        let again = DecisionRecord(runID: runID, studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.0", modality: "CT",
                                   predictedBodyPart: "HEAD", confidence: 0.9, decision: .flagged,
                                   reason: "pixel check CHEST disagrees", currentBodyPartExamined: nil,
                                   newBodyPartExamined: "CHEST", files: 12, createdAt: Sample.date)
        try temp.store.append(decisions: [again], changes: [], errors: [], progress: [])
        let summary = try temp.store.summary(runID: runID)
        #expect(summary.series == 7 && summary.files == 30 + 10 + 3 + 1 - 10 + 12)
        #expect(summary.byDecision["FILLED"] == 2 && summary.byDecision["FLAGGED"] == 2)
        #expect(summary.byRun[runID] == 7 && summary.byPredictedBodyPart["HEAD"] == 2)
        #expect(summary.transitions.map { "\($0.from ?? "-")>\($0.to)=\($0.count)" } == ["->CHEST=3", "L_SPINE>LSPINE=2"])
        #expect(try temp.store.summary(runID: nil).series == 7)
        #expect(try temp.store.decisions(filter: DecisionFilter(series: "1.2.3.0")).count == 2)
    }

    @Test func resumableRunAndCompletedFiles() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let store = temp.store
        #expect(try store.resumableRun(jobKey: "job-1") == nil)
        let first = try store.startRun(Sample.run())
        try store.append(decisions: [], changes: [], errors: [], progress: [
            FileProgress(runID: first, sourcePath: "/a/1.dcm", outputPath: "/o/1.dcm", status: .written),
            FileProgress(runID: first, sourcePath: "/a/2.dcm", status: .failed),
        ])
        try store.finishRun(id: first, status: .interrupted, counts: ["written": 1])
        let resumable = try #require(try store.resumableRun(jobKey: "job-1"))
        #expect(resumable.id == first && resumable.status == .interrupted)
        #expect(try store.resumableRun(jobKey: "job-2") == nil)
        #expect(try store.completedFiles(runID: first) == ["/a/1.dcm", "/a/2.dcm"])
        try store.markRunning(id: first)
        let running = try #require(try store.runs().first)
        #expect(running.status == .running && running.finishedAt == nil && running.counts == ["written": 1])
        // A retried file overwrites its progress row.
        try store.append(decisions: [], changes: [], errors: [], progress: [
            FileProgress(runID: first, sourcePath: "/a/2.dcm", outputPath: "/o/2.dcm", status: .written),
        ])
        #expect(try store.completedFiles(runID: first).count == 2)
        try store.finishRun(id: first, status: .done, counts: ["written": 2])
        #expect(try store.resumableRun(jobKey: "job-1") == nil)
        #expect(try store.completedFiles(runID: 42).isEmpty)
        #expect(throws: AuditError.unknownRun(path: temp.path, id: 42)) { try store.markRunning(id: 42) }
        #expect(throws: AuditError.self) { try store.finishRun(id: first, status: .running, counts: [:]) }
        #expect(try store.verify().ok)
    }

    @Test func invalidValuesAreRejectedBeforeWriting() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try temp.store.startRun(Sample.run())
        // Decision kinds and statuses are typed; a routing kind is still text and checked.
        let bad = RoutingRecord(runID: runID, kind: "maybe", studyInstanceUID: "1.2", rule: "r", detail: "")
        #expect(throws: AuditError.self) {
            try temp.store.append(decisions: Sample.decisions(runID: runID), changes: [], errors: [], progress: [], routings: [bad])
        }
        #expect(try temp.store.decisions(filter: DecisionFilter()).isEmpty, "nothing of the batch stored")
        // A failing batch (unknown run: foreign key) stores nothing either.
        let orphan = Sample.change(runID: 999)
        #expect(throws: AuditError.self) {
            try temp.store.append(decisions: Sample.decisions(runID: runID), changes: [orphan], errors: [], progress: [])
        }
        #expect(try temp.store.decisions(filter: DecisionFilter()).isEmpty)
        #expect(try temp.store.verify().ok)
    }

    @Test func missingForeignAndNewerFilesGiveClearErrors() throws {
        let folder = try TestEnvironment.temporaryFolder("audit-bad")
        defer { TestEnvironment.remove(folder) }
        let missing = folder.appendingPathComponent("none.sqlite").path
        #expect(throws: AuditError.cannotOpen(path: missing, reason: "no such file")) {
            try AuditStore(path: missing, readOnly: true)
        }
        let text = folder.appendingPathComponent("text.sqlite").path
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: AuditError.notAuditDatabase(path: text)) { try AuditStore(path: text, readOnly: true) }
        #expect(throws: AuditError.notAuditDatabase(path: text)) { try AuditStore(path: text) }
        let other = folder.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: other).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: AuditError.notAuditDatabase(path: other)) { try AuditStore(path: other) }
        #expect(throws: AuditError.notAuditDatabase(path: other)) { try AuditStore(path: other, readOnly: true) }
        let newer = folder.appendingPathComponent("newer.sqlite").path
        _ = try AuditStore(path: newer)
        try DatabaseQueue(path: newer).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        #expect(throws: AuditError.schemaNewer(path: newer)) { try AuditStore(path: newer, readOnly: true) }
        #expect(throws: AuditError.schemaNewer(path: newer)) { try AuditStore(path: newer) }
        #expect(throws: AuditError.cannotOpen(path: folder.path, reason: "it is a folder")) {
            try AuditStore(path: folder.path)
        }
        let readOnly = try AuditStore(path: try TempStoreFile.make(in: folder), readOnly: true)
        #expect(throws: AuditError.readOnly(path: readOnly.path)) { try readOnly.startRun(Sample.run()) }
        for error in [AuditError.notAuditDatabase(path: text), .schemaNewer(path: newer)] {
            #expect(!error.description.contains("\n") && error.description.hasPrefix(folder.path))
        }
    }
}

enum TempStoreFile {
    static func make(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("ok-\(UUID().uuidString).sqlite").path
        _ = try AuditStore(path: path)
        return path
    }
}
