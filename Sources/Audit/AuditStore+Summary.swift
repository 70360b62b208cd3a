import GRDB

extension AuditStore {
    /// Counts per run, decision, modality, predicted body part and confidence
    /// decile, and the old → new BodyPartExamined matrix; for one run or all.
    /// A series decided twice in one run (the proxy's pixel check after
    /// forwarding appends a second row) counts once, by its newest row.
    public func summary(runID: Int64?) throws(AuditError) -> AuditSummary {
        let allRuns = try runs()
        if let runID, !allRuns.contains(where: { $0.id == runID }) { throw .unknownRun(path: path, id: runID) }
        return try read { db in
            let scope = runID.map { "WHERE runID = \($0)" } ?? ""
            var summary = AuditSummary(
                runID: runID, runs: allRuns.filter { runID == nil || $0.id == runID }, series: 0, files: 0,
                changes: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM changes \(scope)") ?? 0,
                errors: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM errors \(scope)") ?? 0,
                byRun: [:], byDecision: Dictionary(uniqueKeysWithValues: DecisionRecord.decisions.map { ($0, 0) }),
                byModality: [:], byPredictedBodyPart: [:], confidenceHistogram: Array(repeating: 0, count: 10),
                transitions: [])
            var matrix: [String: AuditSummary.Transition] = [:]
            // The proxy decides a series on its first object (files = 1) and
            // reuses the decision: its objects are counted from file_progress
            // (one row per object and destination, `spool:DEST/FILE`).
            let proxyFiles = try db.columns(in: "file_progress").contains { $0.name == "seriesInstanceUID" }
                ? """
                  (SELECT COUNT(DISTINCT substr(p.sourcePath, instr(p.sourcePath, '/') + 1)) FROM file_progress p
                   WHERE p.runID = d.runID AND p.seriesInstanceUID = d.seriesInstanceUID AND p.sourcePath LIKE 'spool:%')
                  """
                : "0"
            let rows = try Row.fetchCursor(db, sql: """
                SELECT runID, modality, predictedBodyPart, confidence, decision, currentBodyPartExamined,
                       newBodyPartExamined, files, \(proxyFiles) AS proxyFiles FROM decisions d
                WHERE id IN (SELECT MAX(id) FROM decisions \(scope) GROUP BY runID, seriesInstanceUID)
                """)
            while let row = try rows.next() {
                summary.series += 1
                summary.files += max(row["files"] as Int, row["proxyFiles"] as Int)
                summary.byRun[row["runID"], default: 0] += 1
                summary.byDecision[row["decision"], default: 0] += 1
                summary.byModality[(row["modality"] as String?) ?? "-", default: 0] += 1
                summary.byPredictedBodyPart[(row["predictedBodyPart"] as String?) ?? "-", default: 0] += 1
                summary.confidenceHistogram[AuditSummary.bucket(row["confidence"])] += 1
                if let to: String = row["newBodyPartExamined"] {
                    let from: String? = row["currentBodyPartExamined"]
                    let key = "\(from ?? "\u{0}")\u{1F}\(to)"
                    matrix[key, default: .init(from: from, to: to, count: 0)].count += 1
                }
            }
            summary.transitions = matrix.values.sorted {
                ($0.count, $1.from ?? "", $1.to) > ($1.count, $0.from ?? "", $0.to)
            }
            return summary
        }
    }
}
