import ArgumentParser
import Audit
import Foundation

/// `bodypart-bench audit-fill`: an audit database with many rows, written
/// through `AuditStore` (real hash chain), for timing the proxy console's
/// pages (Benchmarks/console/run.sh).
struct AuditFillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-fill",
        abstract: "Write an audit with N decisions, one change row each, N/100 errors and N/1000 open reviews."
    )

    @Option(help: "The audit database to create (must not exist).")
    var audit: String

    @Option(help: "Decision rows (one series each).")
    var decisions = 100_000

    func run() throws {
        guard !FileManager.default.fileExists(atPath: audit) else {
            throw ValidationError("\(audit) exists; give a new file")
        }
        let store = try AuditStore(path: audit)
        let runID = try store.startRun(
            RunRecord(
                jobKey: "bench:console", command: "bodypart-bench audit-fill", mode: .proxy,
                policyHash: "bench", modelID: "bench", host: "bench"))
        let terms = ["CHEST", "HEAD", "ABDOMEN", "PELVIS", "LSPINE", "KNEE", "BRAIN", "ABDOMENPELVIS"]
        let kinds: [DecisionKind] = [.filled, .confirmed, .normalized, .abstained, .flagged, .corrected]
        let batch = 2_000
        let started = Date()
        for start in stride(from: 0, to: decisions, by: batch) {
            var rows: [DecisionRecord] = [], changes: [ChangeRecord] = [], errors: [ErrorRecord] = [],
                reviews: [ReviewRecord] = []
            for index in start..<min(start + batch, decisions) {
                let series = "1.2.826.0.1.3680043.10.999.\(index)", study = "1.2.826.0.1.3680043.10.998.\(index / 4)"
                let term = terms[index % terms.count], kind = kinds[index % kinds.count]
                rows.append(
                    DecisionRecord(
                        runID: runID, studyInstanceUID: study, seriesInstanceUID: series, modality: "CT",
                        predictedBodyPart: term, confidence: 0.5 + Double(index % 50) / 100, decision: kind,
                        reason: "benchmark row", evidenceJSON: "{\"features\":[\"CT \(term)\"]}",
                        currentBodyPartExamined: nil, newBodyPartExamined: kind == .filled ? term : nil, files: 100))
                changes.append(
                    ChangeRecord(
                        runID: runID, seriesInstanceUID: series, sopInstanceUID: series + ".1",
                        sourcePath: "spool:PACS/\(index).dcm", outputPath: "PACS@10.0.0.1:104", tag: "(0018,0015)",
                        keyword: "BodyPartExamined", oldValue: nil, newValue: term, reason: "FILL"))
                if index % 100 == 0 {
                    errors.append(
                        ErrorRecord(
                            runID: runID, path: "spool:\(index).dcm", kind: "quarantined",
                            message: "benchmark error row"))
                }
                if index % 1000 == 0 {
                    reviews.append(
                        ReviewRecord(
                            seriesInstanceUID: series, studyInstanceUID: study, runID: runID, modality: "CT",
                            metadataAnswer: term, metadataConfidence: 0.9, pixelAnswer: "ABDOMEN",
                            pixelConfidence: 0.8, pixelModel: "bench"))
                }
            }
            try store.append(decisions: rows, changes: changes, errors: errors, progress: [], reviews: reviews)
        }
        print(
            "wrote \(decisions) decisions, \(decisions) changes, \((decisions + 99) / 100) errors, "
                + "\((decisions + 999) / 1000) reviews to \(audit) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
    }
}
