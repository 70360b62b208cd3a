import Audit
import Foundation
import GRDB
import Testing

/// Run status and mode, decision kind and review state are enums in Swift but stay the
/// same text in SQLite: a row's hash (and every older audit file, and the
/// anchors printed from it) depends on the stored text being unchanged.
@Suite struct TypedColumnsTests {
    @Test func enumsAreStoredAsTheirTextAndReadBack() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let store = temp.store
        let run = try store.startRun(Sample.run())
        try store.append(decisions: Sample.decisions(runID: run), changes: [], errors: [], progress: [],
                         reviews: [ReviewQueueTests.opening(runID: run)])
        try store.recordReview(series: "1.2.5.9", status: .relabelled, label: "CHEST", reviewer: "dr.a", note: nil)
        try store.finishRun(id: run, status: .interrupted, counts: ["written": 1])

        let raw = try temp.raw()
        let stored = try raw.read { db in
            (decisions: try Row.fetchAll(db, sql: "SELECT typeof(decision) AS type, decision FROM decisions ORDER BY id"),
             reviews: try Row.fetchAll(db, sql: "SELECT typeof(status) AS type, status FROM reviews ORDER BY id"),
             events: try Row.fetchAll(db, sql: "SELECT typeof(status) AS type, status FROM run_events ORDER BY id"),
             modes: try Row.fetchAll(db, sql: "SELECT typeof(mode) AS type, mode FROM runs ORDER BY id"))
        }
        #expect(stored.decisions.map { $0["type"] as String } == Array(repeating: "text", count: 7))
        #expect(stored.decisions.map { $0["decision"] as String }
                == ["FILLED", "FILLED", "FILLED", "NORMALIZED", "NORMALIZED", "FLAGGED", "ABSTAINED"])
        #expect(stored.reviews.map { "\($0["type"] as String) \($0["status"] as String)" } == ["text open", "text relabelled"])
        #expect(stored.events.map { "\($0["type"] as String) \($0["status"] as String)" } == ["text running", "text interrupted"])
        #expect(stored.modes.map { "\($0["type"] as String) \($0["mode"] as String)" } == ["text out"])
        #expect(RunMode.allCases.map(\.rawValue) == ["dry-run", "out", "in-place", "proxy", "revert"], "the texts older files hold")

        #expect(try store.decisions(filter: DecisionFilter(runID: run)).map(\.kind)
                == [.filled, .filled, .filled, .normalized, .normalized, .flagged, .abstained])
        #expect(try store.reviews(series: "1.2.5.9").map(\.state) == [.open, .relabelled])
        #expect(try store.run(id: run)?.status == .interrupted)
        #expect(try store.verify().ok)
    }

    /// A review status named by its text still works (the console's forms);
    /// an unknown name, or a run "finished" as running, is refused.
    @Test func statusesNamedByTextAreCheckedAgainstTheEnum() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let store = temp.store
        let run = try store.startRun(Sample.run())
        try store.append(decisions: [], changes: [], errors: [], progress: [], reviews: [ReviewQueueTests.opening(runID: run)])
        #expect(try store.reviewQueue(status: "open").count == 1)
        #expect(try store.recordReview(series: "1.2.5.9", status: "accepted", label: "CHEST", reviewer: "r", note: nil).state
                == .accepted)
        #expect(throws: AuditError.self) { try store.reviewQueue(status: "closed") }
        #expect(throws: AuditError.self) { try store.finishRun(id: run, status: .running, counts: [:]) }
    }
}
