import Audit
import Foundation
import GRDB
import Testing

/// Append-only triggers and tamper detection by hash chain.
@Suite struct HashChainTests {
    @Test func intactChainsVerify() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let result = try temp.store.verify()
        #expect(result.ok)
        #expect(result.firstBreak == nil)
        #expect(result.rowsChecked == 1 + 2 + 7 + 4 + 1)
        #expect(result.heads.keys.sorted() == ["changes", "decisions", "errors", "run_events", "runs"])
    }

    @Test func triggersRejectUpdateAndDelete() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let raw = try temp.raw()
        for table in ["runs", "run_events", "decisions", "changes", "errors"] {
            let update = #expect(throws: DatabaseError.self) {
                try raw.write { db in try db.execute(sql: "UPDATE \(table) SET prevHash = 'x' WHERE id = 1") }
            }
            #expect(update?.message?.contains("append-only") == true)
            #expect(throws: DatabaseError.self) {
                try raw.write { db in try db.execute(sql: "DELETE FROM \(table) WHERE id = 1") }
            }
        }
        #expect(try temp.store.verify().ok)
    }

    @Test func editedRowIsNamed() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        try temp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update")
            try db.execute(sql: "UPDATE changes SET newValue = 'HEAD' WHERE id = 3")
        }
        let result = try temp.store.verify()
        #expect(!result.ok)
        let broken = try #require(result.firstBreak)
        #expect(broken.table == "changes" && broken.id == 3)
        #expect(broken.description == "changes row 3: contents do not match its hash (edited)")
    }

    @Test func rehashedEditIsCaughtByTheNextRow() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        // A forger who edits row 2 and recomputes its hash still breaks row 3's prevHash.
        try temp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER decisions_no_update")
            try db.execute(sql: "UPDATE decisions SET decision = 'CONFIRMED', hash = ? WHERE id = 2",
                           arguments: [String(repeating: "f", count: 64)])
        }
        let broken = try #require(try temp.store.verify().firstBreak)
        #expect(broken.table == "decisions" && broken.id == 2)
    }

    @Test func deletedRowIsNamed() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        try temp.raw().write { db in
            try db.execute(sql: "DROP TRIGGER decisions_no_delete")
            try db.execute(sql: "DELETE FROM decisions WHERE id = 4")
        }
        let broken = try #require(try temp.store.verify().firstBreak)
        #expect(broken.table == "decisions" && broken.id == 5)
        #expect(broken.reason.contains("row 4 is missing"))
    }

    @Test func chainsContinueAcrossBatchesAndConnections() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let again = try AuditStore(path: temp.path)
        try Sample.fill(again)
        try Sample.fill(temp.store)
        #expect(try again.verify().ok)
        #expect(try again.runs().map(\.id) == [1, 2, 3])
    }

    /// 10,000 changes in one call: one transaction, chained, verifiable. The time limit only
    /// guards against a hang (seen past 60 s on a loaded 2-core machine); speed is `make bench`.
    @Test(.timeLimit(.minutes(5))) func tenThousandChangesInOneBatch() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try temp.store.startRun(Sample.run())
        let changes = (0..<10_000).map { Sample.change(runID: runID, series: "1.2.\($0 / 100)", n: $0) }
        try temp.store.append(decisions: [], changes: changes, errors: [], progress: [])
        #expect(try temp.store.changes(runID: runID, series: nil).count == 10_000)
        #expect(try temp.store.verify().rowsChecked == 10_000 + 2)
    }
}
