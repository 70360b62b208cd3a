import GRDB

/// The audit database schema, as GRDB migrations.
///
/// Tables `runs`, `run_events`, `decisions`, `changes` and `errors` are
/// append-only and hash-chained (`prevHash`, `hash`); triggers reject UPDATE
/// and DELETE on them. `file_progress` is operational (resume bookkeeping) and
/// may be rewritten.
enum AuditSchema {
    /// `PRAGMA application_id` of an audit database ("BPAU"): tells it apart from other SQLite files.
    static let applicationID: Int32 = 0x4250_4155

    /// The migrator; its identifiers are the schema versions.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.create(table: "runs") { t in
                t.primaryKey("id", .integer)
                t.column("jobKey", .text).notNull().indexed()
                t.column("command", .text).notNull()
                t.column("mode", .text).notNull()
                t.column("policyHash", .text).notNull()
                t.column("modelID", .text).notNull()
                t.column("host", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                chainColumns(t)
            }
            try db.create(table: "run_events") { t in
                t.primaryKey("id", .integer)
                t.column("runID", .integer).notNull().indexed().references("runs")
                t.column("status", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("countsJSON", .text).notNull()
                chainColumns(t)
            }
            try db.create(table: "decisions") { t in
                t.primaryKey("id", .integer)
                t.column("runID", .integer).notNull().indexed().references("runs")
                t.column("studyInstanceUID", .text).notNull()
                t.column("seriesInstanceUID", .text).notNull().indexed()
                t.column("modality", .text)
                t.column("predictedBodyPart", .text)
                t.column("confidence", .double).notNull()
                t.column("decision", .text).notNull().indexed()
                t.column("reason", .text).notNull()
                t.column("evidenceJSON", .text).notNull()
                t.column("currentBodyPartExamined", .text)
                t.column("newBodyPartExamined", .text)
                t.column("files", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                chainColumns(t)
            }
            try db.create(table: "changes") { t in
                t.primaryKey("id", .integer)
                t.column("runID", .integer).notNull().indexed().references("runs")
                t.column("seriesInstanceUID", .text).notNull().indexed()
                t.column("sopInstanceUID", .text).notNull()
                t.column("sourcePath", .text).notNull()
                t.column("outputPath", .text).notNull()
                t.column("tag", .text).notNull()
                t.column("keyword", .text).notNull()
                t.column("oldValue", .text)
                t.column("newValue", .text)
                t.column("reason", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                chainColumns(t)
            }
            try db.create(table: "errors") { t in
                t.primaryKey("id", .integer)
                t.column("runID", .integer).notNull().indexed().references("runs")
                t.column("path", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("message", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                chainColumns(t)
            }
            try db.create(table: "file_progress", options: [.withoutRowID]) { t in
                t.column("runID", .integer).notNull().references("runs")
                t.column("sourcePath", .text).notNull()
                t.column("outputPath", .text)
                t.column("status", .text).notNull()
                t.primaryKey(["runID", "sourcePath"])
            }
            // The tables of v1 (HashChain.tables grows with later migrations).
            for table in ["runs", "run_events", "decisions", "changes", "errors"] { try appendOnly(table, db) }
        }
        migrator.registerMigration("v2") { db in
            // The review queue: series whose metadata and pixel answers disagree.
            try db.create(table: "reviews") { t in
                t.primaryKey("id", .integer)
                t.column("seriesInstanceUID", .text).notNull().indexed()
                t.column("studyInstanceUID", .text).notNull()
                t.column("runID", .integer).notNull().indexed().references("runs")
                t.column("modality", .text)
                t.column("currentBodyPartExamined", .text)
                t.column("metadataAnswer", .text)
                t.column("metadataConfidence", .double)
                t.column("pixelAnswer", .text)
                t.column("pixelConfidence", .double)
                t.column("pixelModel", .text)
                t.column("status", .text).notNull()
                t.column("label", .text)
                t.column("reviewer", .text).notNull()
                t.column("note", .text)
                t.column("at", .datetime).notNull()
                chainColumns(t)
            }
            try appendOnly("reviews", db)
        }
        migrator.registerMigration("v3") { db in
            // Which series each file belongs to: previews of a FLAGGED series
            // (no changes, so no paths in `changes`) find its files here.
            try db.alter(table: "file_progress") { t in t.add(column: "seriesInstanceUID", .text) }
            try db.create(index: "file_progress_series", on: "file_progress", columns: ["seriesInstanceUID"])
        }
        migrator.registerMigration("v4") { db in
            // Routing by anatomy (docs/proxy.md, "Routes"): where each series went and why, and
            // every prior query, match and move. A new table, no column of an older one changes.
            try db.create(table: "routings") { t in
                t.primaryKey("id", .integer)
                t.column("runID", .integer).notNull().indexed().references("runs")
                t.column("kind", .text).notNull()
                t.column("studyInstanceUID", .text).notNull().indexed()
                t.column("seriesInstanceUID", .text).indexed()
                t.column("rule", .text).notNull()
                t.column("destination", .text)
                t.column("priorStudyInstanceUID", .text)
                t.column("status", .text)
                t.column("detail", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                chainColumns(t)
            }
            try db.create(index: "routings_prior", on: "routings", columns: ["priorStudyInstanceUID", "destination"])
            try appendOnly("routings", db)
        }
        migrator.registerMigration("v5") { db in
            // The console searches decisions by PatientID and AccessionNumber
            // (docs/audit.md, "Schema v5"): nullable columns of the chained
            // table (older rows keep their hashes), indexed with the study.
            try db.alter(table: "decisions") { t in
                t.add(column: "patientID", .text)
                t.add(column: "accessionNumber", .text)
            }
            try db.create(index: "decisions_patient", on: "decisions", columns: ["patientID"])
            try db.create(index: "decisions_accession", on: "decisions", columns: ["accessionNumber"])
            try db.create(index: "decisions_study", on: "decisions", columns: ["studyInstanceUID"])
        }
        return migrator
    }

    /// Triggers that reject UPDATE and DELETE on a chained table.
    private static func appendOnly(_ table: String, _ db: Database) throws {
        for action in ["UPDATE", "DELETE"] {
            try db.execute(sql: """
                CREATE TRIGGER "\(table)_no_\(action.lowercased())" BEFORE \(action) ON "\(table)"
                BEGIN SELECT RAISE(ABORT, 'audit table \(table) is append-only'); END
                """)
        }
    }

    private static func chainColumns(_ t: TableDefinition) {
        t.column("prevHash", .text).notNull()
        t.column("hash", .text).notNull()
    }
}
