import Audit
import BodypartTesting
import Foundation
import GRDB

/// A fresh audit database in a temporary folder, removed by `remove()`.
struct TempStore {
    let folder: URL
    let path: String
    let store: AuditStore

    init() throws {
        folder = try TestEnvironment.temporaryFolder("audit")
        path = folder.appendingPathComponent("bodypart-audit.sqlite").path
        store = try AuditStore(path: path)
    }

    func remove() { TestEnvironment.remove(folder) }

    /// A second, raw connection for editing the file behind the store's back.
    func raw() throws -> DatabaseQueue { try DatabaseQueue(path: path) }
}

enum Sample {
    static let date = Date(timeIntervalSince1970: 1_790_000_000.125)

    static func run(jobKey: String = "job-1", status: RunStatus = .running) -> RunRecord {
        RunRecord(jobKey: jobKey, command: "bodypart clean --out /tmp/out /archive", mode: .out,
                  policyHash: String(repeating: "ab", count: 32), modelID: "metadata-forest-1", host: "node-1",
                  startedAt: date, status: status)
    }

    /// Decisions: 3 FILLED CT CHEST, 2 NORMALIZED MR LSPINE, 1 FLAGGED, 1 ABSTAINED (low confidence).
    static func decisions(runID: Int64) -> [DecisionRecord] {
        var out: [DecisionRecord] = []
        for i in 0..<3 {
            out.append(DecisionRecord(runID: runID, studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.\(i)",
                                      modality: "CT", predictedBodyPart: "CHEST", confidence: 0.95, decision: .filled,
                                      reason: "missing; confident", evidenceJSON: #"{"SeriesDescription":"THORAX"}"#,
                                      currentBodyPartExamined: nil, newBodyPartExamined: "CHEST", files: 10, createdAt: date))
        }
        for i in 3..<5 {
            out.append(DecisionRecord(runID: runID, studyInstanceUID: "1.2.4", seriesInstanceUID: "1.2.4.\(i)",
                                      modality: "MR", predictedBodyPart: "LSPINE", confidence: 0.88, decision: .normalized,
                                      reason: "L_SPINE is not a defined term", currentBodyPartExamined: "L_SPINE",
                                      newBodyPartExamined: "LSPINE", files: 5, createdAt: date))
        }
        out.append(DecisionRecord(runID: runID, studyInstanceUID: "1.2.5", seriesInstanceUID: "1.2.5.9", modality: "CT",
                                  predictedBodyPart: "HEAD", confidence: 0.72, decision: .flagged,
                                  reason: "ABDOMEN contradicted by HEAD <below correction threshold>",
                                  currentBodyPartExamined: "ABDOMEN", files: 3, createdAt: date))
        out.append(DecisionRecord(runID: runID, studyInstanceUID: "1.2.6", seriesInstanceUID: "1.2.6.1", modality: nil,
                                  predictedBodyPart: nil, confidence: 0.31, decision: .abstained, reason: "not confident",
                                  files: 1, createdAt: date))
        return out
    }

    static func change(runID: Int64, series: String = "1.2.3.0", n: Int = 0, old: String? = nil,
                       new: String? = "CHEST") -> ChangeRecord {
        ChangeRecord(runID: runID, seriesInstanceUID: series, sopInstanceUID: "\(series).\(n)",
                     sourcePath: "/archive/\(series)/\(n).dcm", outputPath: "/tmp/out/\(series)/\(n).dcm",
                     tag: "(0018,0015)", keyword: "BodyPartExamined", oldValue: old, newValue: new,
                     reason: "missing; confident", createdAt: date)
    }

    /// A store with one finished run holding the sample decisions, 4 changes and 1 error.
    @discardableResult
    static func fill(_ store: AuditStore) throws -> Int64 {
        let runID = try store.startRun(run())
        try store.append(decisions: decisions(runID: runID),
                         changes: (0..<3).map { change(runID: runID, series: "1.2.3.\($0)") }
                             + [change(runID: runID, series: "1.2.4.3", old: "L_SPINE", new: "LSPINE")],
                         errors: [ErrorRecord(runID: runID, path: "/archive/bad.dcm", kind: "not-dicom",
                                              message: "/archive/bad.dcm: not a DICOM file", createdAt: date)],
                         progress: [FileProgress(runID: runID, sourcePath: "/archive/1.2.3.0/0.dcm", status: .written)])
        try store.finishRun(id: runID, status: .done, counts: ["written": 4, "failed": 1])
        return runID
    }
}
