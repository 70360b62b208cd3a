import Audit
import DicomCore
import DicomIO
import Foundation

/// What a revert did.
public struct RevertSummary: Sendable {
    public var runID: Int64 = 0
    public var filesReverted = 0
    public var changesUndone = 0
    /// Files that could not be reverted, with the reason.
    public var failures: [String] = []
}

/// Undoes a run's changes in the files it wrote, from the audit: every
/// standard attribute gets back the exact element kept in the file's
/// Original Attributes Sequence item for that run (VR and bytes as they
/// were), attributes that were absent are removed again, the run's item
/// and private block are removed. The revert is itself audited as a run of
/// mode `revert`. Runs are reverted newest first: a file changed again by a
/// later run is refused until that run is reverted.
public struct Reverter: Sendable {
    let store: AuditStore
    let commandLine: String

    public init(store: AuditStore, commandLine: String) {
        self.store = store
        self.commandLine = commandLine
    }

    public func revert(runID: Int64, series: String?) throws -> RevertSummary {
        guard let run = try store.run(id: runID) else {
            throw PolicyError(description: "run \(runID) is not in the audit database")
        }
        guard run.mode.writesFiles else {
            throw PolicyError(description: "run \(runID) is a \(run.mode.rawValue) run: it wrote no file, nothing to revert")
        }
        let changes = try store.changes(runID: runID, series: series).filter { $0.reason != "revert" }
        let later = try store.runs().filter { ($0.id ?? 0) > runID && $0.mode != .dryRun }
        var laterPaths = Set<String>()
        for other in later {
            for change in try store.changes(runID: other.id, series: series) { laterPaths.insert(change.outputPath) }
        }
        var summary = RevertSummary()
        summary.runID = try store.startRun(RunRecord(
            id: nil, jobKey: "revert-\(runID)-\(series ?? "all")-\(UUID().uuidString)", command: commandLine, mode: .revert,
            policyHash: run.policyHash, modelID: run.modelID, host: ProcessInfo.processInfo.hostName, startedAt: Date(),
            finishedAt: nil, status: .running, countsJSON: "{}"))
        let byFile = Dictionary(grouping: changes, by: \.outputPath)
        var records: [ChangeRecord] = []
        var errors: [ErrorRecord] = []
        for path in byFile.keys.sorted() {
            let fileChanges = byFile[path]!
            if laterPaths.contains(path) {
                let message = "\(path): changed again by a later run; revert that run first"
                summary.failures.append(message)
                errors.append(ErrorRecord(runID: summary.runID, path: path, kind: "revert", message: message))
                continue
            }
            do throws(DicomError) {
                let edits = try Reverter.edits(for: fileChanges, path: path)
                let object = try DicomObject(path: path)
                try object.apply(edits)
                try AtomicWriter.write(object, to: path, permissions: CleanRun.permissions(of: path))
                summary.filesReverted += 1
                summary.changesUndone += fileChanges.count
                records += fileChanges.map { change in
                    ChangeRecord(runID: summary.runID, seriesInstanceUID: change.seriesInstanceUID,
                                 sopInstanceUID: change.sopInstanceUID, sourcePath: change.sourcePath, outputPath: path,
                                 tag: change.tag, keyword: change.keyword, oldValue: change.newValue,
                                 newValue: change.oldValue, reason: "revert")
                }
            } catch {
                summary.failures.append(error.description)
                errors.append(ErrorRecord(runID: summary.runID, path: path, kind: error.kind, message: error.description))
            }
        }
        try store.append(decisions: [], changes: records, errors: errors, progress: [])
        try store.finishRun(id: summary.runID, status: .done,
                            counts: ["filesReverted": summary.filesReverted, "changesUndone": summary.changesUndone,
                                     "failures": summary.failures.count, "revertedRun": Int(runID)])
        return summary
    }

    /// The edits that undo one file's changes of a run.
    static func edits(for changes: [ChangeRecord], path: String) throws(DicomError) -> [Edit] {
        var edits: [Edit] = []
        if let item = changes.first(where: { $0.keyword == "OriginalAttributesSequence" }) {
            guard let old = item.oldValue, let index = Int(old.split(separator: " ").first ?? "") else {
                throw .invalidEdit(path: path, detail: "audit row for Original Attributes Sequence is unreadable")
            }
            let absent = Set(changes.filter { $0.oldValue == nil && $0.keyword != "BodyPartPrediction" }
                .compactMap { Tag(parsing: $0.tag) })
            edits.append(.restoreOriginals(item: index, absent: absent))
        }
        if changes.contains(where: { $0.keyword == "BodyPartPrediction" && $0.oldValue == nil }) {
            edits.append(.removePrivateBlock(group: PrivateBlock.group, creator: PrivateBlock.creator))
        }
        return edits
    }
}
