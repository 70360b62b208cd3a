import Audit
import Foundation
import GRDB
import Testing

/// The review queue (schema v2): append-only, hash-chained, one row per
/// status change, a series' state is its newest row.
@Suite struct ReviewQueueTests {
    static func opening(runID: Int64, series: String = "1.2.5.9", pixel: String = "CHEST") -> ReviewRecord {
        ReviewRecord(seriesInstanceUID: series, studyInstanceUID: "1.2.5", runID: runID, modality: "CT",
                     currentBodyPartExamined: "HEAD", metadataAnswer: "HEAD", metadataConfidence: 0.85,
                     pixelAnswer: pixel, pixelConfidence: 0.91, pixelModel: "pixelcheck", note: "they disagree",
                     at: Sample.date)
    }

    @Test func openVerdictHistoryAndChain() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let store = temp.store
        let run = try store.startRun(Sample.run())
        try store.append(decisions: [], changes: [], errors: [], progress: [],
                         reviews: [Self.opening(runID: run), Self.opening(runID: run, series: "1.2.7")])
        // The same question again (a rerun, a resume) opens nothing new.
        try store.append(decisions: [], changes: [], errors: [], progress: [], reviews: [Self.opening(runID: run)])
        #expect(try store.reviewQueue(status: .open).map(\.seriesInstanceUID) == ["1.2.5.9", "1.2.7"])

        let verdict = try store.recordReview(series: "1.2.5.9", status: .accepted, label: "CHEST", reviewer: "dr.a",
                                             note: "lungs on every slice")
        #expect(verdict.id == 3 && verdict.pixelAnswer == "CHEST" && verdict.metadataAnswer == "HEAD")
        #expect(try store.reviewQueue(status: .open).map(\.seriesInstanceUID) == ["1.2.7"])
        #expect(try store.reviewQueue().map(\.state) == [.accepted, .open], "order of opening is kept")
        // A verdict is not undone by the same disagreement found again.
        try store.append(decisions: [], changes: [], errors: [], progress: [], reviews: [Self.opening(runID: run)])
        #expect(try store.reviews(series: "1.2.5.9").map(\.state) == [.open, .accepted])
        // A new question (another pixel answer) reopens it.
        try store.append(decisions: [], changes: [], errors: [], progress: [],
                         reviews: [Self.opening(runID: run, pixel: "ABDOMEN")])
        #expect(try store.reviews(series: "1.2.5.9").map(\.state) == [.open, .accepted, .open])

        #expect(throws: AuditError.noReview(path: temp.path, series: "9.9")) {
            try store.recordReview(series: "9.9", status: .rejected, label: nil, reviewer: "x", note: nil)
        }
        #expect(throws: AuditError.self) {
            try store.recordReview(series: "1.2.7", status: "maybe", label: nil, reviewer: "x", note: nil)
        }
        let verified = try store.verify()
        #expect(verified.ok && verified.heads["reviews"] != nil)

        // Append-only: UPDATE is refused; an edit behind the triggers' back breaks the chain.
        let raw = try temp.raw()
        #expect(throws: (any Error).self) { try raw.write { try $0.execute(sql: "UPDATE reviews SET status = 'rejected'") } }
        try raw.write { db in
            try db.execute(sql: "DROP TRIGGER reviews_no_update")
            try db.execute(sql: "UPDATE reviews SET label = 'PELVIS' WHERE id = 3")
        }
        let broken = try store.verify()
        #expect(broken.firstBreak?.table == "reviews" && broken.firstBreak?.id == 3)
    }

    /// A file written before v2 is read as it is and migrated on the first write.
    @Test func olderFileWithoutReviews() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        _ = try temp.store.startRun(Sample.run())
        try temp.raw().write { db in
            try db.execute(sql: "DROP TABLE reviews")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2'")
        }
        let old = try AuditStore(path: temp.path, readOnly: true)
        #expect(try old.reviewQueue().isEmpty && old.verify().ok && old.runs().count == 1)
        let upgraded = try AuditStore(path: temp.path)
        try upgraded.append(decisions: [], changes: [], errors: [], progress: [], reviews: [Self.opening(runID: 1)])
        #expect(try upgraded.reviewQueue().count == 1)
    }

    /// Schema v3: each file's series is kept in `file_progress`, so that a
    /// FLAGGED series (no changes) can still be found for its previews.
    @Test func filesOfASeries() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let store = temp.store
        let first = try store.startRun(Sample.run())
        let second = try store.startRun(Sample.run(jobKey: "job-2"))
        try store.append(decisions: [], changes: [], errors: [], progress: [
            FileProgress(runID: first, sourcePath: "/in/b.dcm", outputPath: "/out/b.dcm", status: .written, seriesInstanceUID: "1.2.5.9"),
            FileProgress(runID: first, sourcePath: "/in/a.dcm", outputPath: "/out/a.dcm", status: .unchanged, seriesInstanceUID: "1.2.5.9"),
            FileProgress(runID: first, sourcePath: "/in/c.dcm", status: .written, seriesInstanceUID: "1.2.7"),
            FileProgress(runID: first, sourcePath: "/in/notes.txt", status: .skipped),
            FileProgress(runID: second, sourcePath: "/in/a.dcm", status: .unchanged, seriesInstanceUID: "1.2.5.9"),
        ])
        #expect(try store.files(series: "1.2.5.9").map { "\($0.runID) \($0.sourcePath)" }
                == ["\(first) /in/a.dcm", "\(first) /in/b.dcm", "\(second) /in/a.dcm"])
        #expect(try store.files(series: "1.2.5.9", runID: first).map(\.outputPath) == ["/out/a.dcm", "/out/b.dcm"])
        #expect(try store.files(series: "9.9").isEmpty)

        // A file from before v3: read as it is (no series known), migrated on the next write.
        try temp.raw().write { db in
            try db.execute(sql: "DROP INDEX file_progress_series")
            try db.execute(sql: "ALTER TABLE file_progress DROP COLUMN seriesInstanceUID")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3'")
        }
        let old = try AuditStore(path: temp.path, readOnly: true)
        #expect(try old.files(series: "1.2.5.9").isEmpty && old.verify().ok)
        let upgraded = try AuditStore(path: temp.path)
        try upgraded.append(decisions: [], changes: [], errors: [], progress: [
            FileProgress(runID: second, sourcePath: "/in/d.dcm", status: .written, seriesInstanceUID: "1.2.5.9"),
        ])
        #expect(try upgraded.files(series: "1.2.5.9").map(\.sourcePath) == ["/in/d.dcm"])
    }
}
