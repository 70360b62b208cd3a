import BodypartTesting
import Foundation
import GRDB
import Testing

@testable import Audit

/// Schema v5: decisions carry PatientID and AccessionNumber for the
/// console's search; a v3 file is migrated in place and keeps its chain.
@Suite struct SeriesSearchTests {
    @Test func decisionsAreFoundByPatientAndAccession() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try temp.store.startRun(Sample.run())
        var rows = Sample.decisions(runID: runID)
        rows[0].patientID = "PAT-1"
        rows[0].accessionNumber = "ACC-1"
        rows[3].patientID = "PAT-2"
        try temp.store.append(decisions: rows, changes: [], errors: [], progress: [])
        let byPatient = try temp.store.recentDecisions(filter: DecisionFilter(patientID: "PAT-1"), limit: 10)
        #expect(byPatient.map(\.seriesInstanceUID) == [rows[0].seriesInstanceUID])
        #expect(byPatient.first?.accessionNumber == "ACC-1", "stored and read back")
        let byAccession = try temp.store.recentDecisions(filter: DecisionFilter(accessionNumber: "ACC-1"), limit: 10)
        #expect(byAccession.map(\.seriesInstanceUID) == [rows[0].seriesInstanceUID])
        #expect(try temp.store.recentDecisions(filter: DecisionFilter(patientID: "PAT-"), limit: 10).isEmpty, "exact")
        #expect(try temp.store.recentDecisions(filter: DecisionFilter(study: "1.2.4"), limit: 10).count == 2)
        #expect(try temp.store.verify().ok, "the new columns are in the hash chain")
        // The searches use an index, not a scan of the table.
        let plans = try temp.raw().read { db in
            try ["patientID", "accessionNumber", "studyInstanceUID"].map { column in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM decisions WHERE \(column) = 'x'")
                    .map { $0["detail"] as String }.joined(separator: " ")
            }
        }
        for plan in plans { #expect(plan.contains("USING INDEX"), "\(plan)") }
    }

    @Test func aVersion3FileIsMigratedAndKeepsItsChain() throws {
        let folder = try TestEnvironment.temporaryFolder("audit-v3")
        defer { TestEnvironment.remove(folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        // A file as a v3 build left it: schema up to v3, a run recorded.
        let queue = try DatabaseQueue(path: path)
        try AuditSchema.migrator.migrate(queue, upTo: "v3")
        try queue.write { db in
            try HashChain.append([RunRow(Sample.run())], db)
            // A v3 decision row: the columns of its time, hashed as v3 did.
            var values = try Sample.decisions(runID: 1)[5].databaseDictionary
            values["patientID"] = nil
            values["accessionNumber"] = nil
            values["id"] = 1.databaseValue
            values["prevHash"] = HashChain.genesis.databaseValue
            values["hash"] = HashChain.hash(prevHash: HashChain.genesis, values: values.map { ($0.key, $0.value) })
                .databaseValue
            let columns = values.keys.sorted()
            try db.execute(
                sql: "INSERT INTO decisions (" + columns.joined(separator: ", ") + ") VALUES ("
                    + columns.map { _ in "?" }.joined(separator: ", ") + ")",
                arguments: StatementArguments(columns.map { values[$0]! }))
        }
        try queue.close()
        let store = try AuditStore(path: path)
        let applied = try DatabaseQueue(path: path).read { db in try AuditSchema.migrator.appliedIdentifiers(db) }
        #expect(applied.contains("v5"))
        #expect(try store.verify().ok, "rows written before v5 keep their hashes")
        var row = Sample.decisions(runID: 1)[0]
        row.patientID = "PAT-9"
        try store.append(decisions: [row], changes: [], errors: [], progress: [])
        #expect(try store.recentDecisions(filter: DecisionFilter(patientID: "PAT-9"), limit: 5).count == 1)
        #expect(try store.verify().ok)
    }
}
