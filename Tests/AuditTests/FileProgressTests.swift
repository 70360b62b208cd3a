import Foundation
import GRDB
import Testing

@testable import Audit

/// `file_progress` rows written in bulk (one prepared statement) hold what
/// GRDB's record insert stored, and a second row for the same run and path
/// replaces the first (a resume turns `failed` into `written`).
@Suite struct FileProgressTests {
    @Test func bulkRowsMatchTheRecordInsertAndReplace() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let run = try temp.store.startRun(Sample.run())
        let rows = [
            FileProgress(
                runID: run, sourcePath: "/in/a.dcm", outputPath: "/out/a.dcm", status: .written,
                seriesInstanceUID: "1.2.3"),
            FileProgress(runID: run, sourcePath: "/in/b.dcm", outputPath: nil, status: .failed, seriesInstanceUID: nil),
            FileProgress(
                runID: run, sourcePath: "/in/ç d.dcm", outputPath: "/out/ç d.dcm", status: .unchanged,
                seriesInstanceUID: "1.2.4"),
        ]
        try temp.store.append(decisions: [], changes: [], errors: [], progress: rows)
        // The resume's row for b replaces the failed one.
        let again = FileProgress(
            runID: run, sourcePath: "/in/b.dcm", outputPath: "/out/b.dcm", status: .written, seriesInstanceUID: "1.2.3")
        try temp.store.append(decisions: [], changes: [], errors: [], progress: [again])

        let stored = try temp.raw().read { db in
            try FileProgress.order(Column("sourcePath")).fetchAll(db)
        }
        #expect(stored == [rows[0], again, rows[2]])

        // The same rows through GRDB's record insert, in another file, read back alike.
        let other = try TempStore()
        defer { other.remove() }
        let otherRun = try other.store.startRun(Sample.run())
        #expect(otherRun == run)
        try other.raw().write { db in
            for row in rows + [again] { try row.insert(db, onConflict: .replace) }
        }
        let viaRecord = try other.raw().read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM file_progress ORDER BY sourcePath")
        }
        let viaBulk = try temp.raw().read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM file_progress ORDER BY sourcePath")
        }
        #expect(viaBulk == viaRecord)
        #expect(try temp.store.completedFiles(runID: run) == ["/in/a.dcm", "/in/b.dcm", "/in/ç d.dcm"])
    }
}
