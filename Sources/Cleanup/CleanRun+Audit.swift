import Audit
import DicomCore
import DicomIO
import Foundation
import Synchronization

extension CleanRun {
    /// Audits a processed batch, commits its files, then records progress;
    /// returns what the batch did. Change rows of a file in `recorded` (an
    /// interrupted attempt stored them and was killed before the file's
    /// progress row) are not stored again: a resume records each change once.
    func record(_ outcomes: [Outcome], writer: AtomicWriter, rows: AuditRows, recorded: Set<String>) throws -> BatchCounts {
        var summary = BatchCounts()
        let now = Date()
        var changes: [ChangeRecord] = []
        var errors: [ErrorRecord] = []
        for outcome in outcomes where outcome.status.carriesChanges && !recorded.contains(outcome.path) {
            changes += rows.changes(outcome.changes, seriesInstanceUID: outcome.seriesInstanceUID,
                                    sopInstanceUID: outcome.sopInstanceUID, source: outcome.path,
                                    output: outcome.output ?? outcome.path,
                                    reason: outcome.status == .wouldWrite ? .dryRun : .policy, at: now)
        }
        // Write-ahead: the changes are in the audit before any file is replaced.
        try store.append(decisions: [], changes: changes, errors: [], progress: [])
        var commitError: DicomError?
        do throws(DicomError) { try writer.commit() } catch { commitError = error }
        var progress: [FileProgress] = []
        for var outcome in outcomes {
            if let commitError, [.written, .copied, .copiedUnedited].contains(outcome.status) {
                outcome.status = .failed
                outcome.failure = (commitError.kind, commitError.description)
            }
            switch outcome.status {
            case .written:
                summary.filesWritten += 1
                summary.changes += outcome.changes.count
            case .copied:
                summary.filesWritten += 1
                summary.filesUnchanged += 1
            case .wouldWrite:
                summary.changes += outcome.changes.count
            case .unchanged:
                summary.filesUnchanged += 1
            case .copiedUnedited:
                summary.filesWritten += 1
                let kind = outcome.failure?.kind ?? "edit"
                summary.skipped[kind, default: 0] += 1
                errors.append(rows.error(path: outcome.path, kind: kind,
                                         message: (outcome.failure?.message ?? outcome.path) + "; copied unchanged", at: now))
            case .failed:
                let kind = outcome.failure?.kind ?? "write"
                summary.skipped[kind, default: 0] += 1
                errors.append(rows.error(path: outcome.path, kind: kind,
                                         message: outcome.failure?.message ?? "\(outcome.path): failed", at: now))
            }
            progress.append(rows.progress(source: outcome.path, output: outcome.output, outcome: outcome.status,
                                          seriesInstanceUID: outcome.seriesInstanceUID))
        }
        try store.append(decisions: [], changes: [], errors: errors, progress: progress)
        summary.files = outcomes.count
        return summary
    }

    /// Scan failures go to the summary and the audit (once per job).
    func recordScanFailures(_ failures: [ScanFailure], rows: AuditRows, done: Set<String>, summary: inout CleanSummary) throws {
        let now = Date()
        var errors: [ErrorRecord] = []
        var progress: [FileProgress] = []
        for failure in failures {
            summary.skipped[failure.kind, default: 0] += 1
            guard !done.contains(failure.path) else { continue }
            errors.append(rows.error(path: failure.path, kind: failure.kind, message: failure.message, at: now))
            progress.append(FileProgress(runID: rows.runID, sourcePath: failure.path, outputPath: nil, status: .skipped))
        }
        try store.append(decisions: [], changes: [], errors: errors, progress: progress)
    }

    /// Copies non-DICOM files into the output tree (`--copy-other`).
    func copyOthers(_ files: [ScanFailure], layout: OutputLayout, rows: AuditRows, done: Set<String>) throws {
        let writer = AtomicWriter()
        var progress: [FileProgress] = []
        for file in files where !done.contains(file.path) {
            let destination = layout.destination(for: file.path)
            do throws(DicomError) {
                try CleanRun.makeFolder(for: destination)
                try writer.stageCopy(of: file.path, to: destination, permissions: CleanRun.permissions(of: file.path))
                progress.append(FileProgress(runID: rows.runID, sourcePath: file.path, outputPath: destination, status: .written))
            } catch {
                continue
            }
        }
        do throws(DicomError) { try writer.commit() } catch { return }
        try store.append(decisions: [], changes: [], errors: [], progress: progress)
    }

    /// Removes temporary files an earlier, killed attempt left beside the
    /// targets of this job's `files` (they are never renamed over anything).
    /// Called before anything is written; only files older than this run's
    /// start are touched, never a concurrent writer's.
    func sweepTemporaryFiles(_ files: [String], layout: OutputLayout?, olderThan start: Date) {
        guard options.output != .dryRun else { return }
        var folders = Set<String>()
        for file in files {
            let target = layout?.destination(for: file) ?? file
            folders.insert((target as NSString).deletingLastPathComponent)
        }
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(".") && name.contains(".bodypart-") {
                let path = (folder as NSString).appendingPathComponent(name)
                let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
                if let modified, modified < start { try? FileManager.default.removeItem(atPath: path) }
            }
        }
    }

    static func permissions(of path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0o644 }
        return info.st_mode & 0o7777
    }

    static func makeFolder(for file: String) throws(DicomError) {
        let folder = (file as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .io(path: folder, detail: "cannot create the output folder: \(error.localizedDescription)")
        }
    }

    /// DICOM DT for now, in local time (YYYYMMDDHHMMSS).
    static func dateTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date)
    }
}

/// What one batch did (merged into the run's summary).
struct BatchCounts: Sendable {
    var files = 0
    var filesWritten = 0
    var filesUnchanged = 0
    var changes = 0
    var skipped: [String: Int] = [:]
}

/// Collects batch counts from the audit queue; remembers the first error.
final class BatchRecorder: Sendable {
    private struct State {
        var counts = BatchCounts()
        var finished: Int
        var error: (any Error)?
    }

    private let state: Mutex<State>

    init(finished: Int) { state = Mutex(State(finished: finished)) }

    /// Adds a batch; returns the files finished so far.
    func add(_ batch: BatchCounts) -> Int {
        state.withLock { s in
            s.counts.files += batch.files
            s.counts.filesWritten += batch.filesWritten
            s.counts.filesUnchanged += batch.filesUnchanged
            s.counts.changes += batch.changes
            for (k, v) in batch.skipped { s.counts.skipped[k, default: 0] += v }
            s.finished += batch.files
            return s.finished
        }
    }

    func fail(_ error: any Error) { state.withLock { if $0.error == nil { $0.error = error } } }
    var failed: Bool { state.withLock { $0.error != nil } }
    var error: (any Error)? { state.withLock { $0.error } }

    func merge(into summary: inout CleanSummary) {
        let counts = state.withLock { $0.counts }
        summary.filesWritten += counts.filesWritten
        summary.filesUnchanged += counts.filesUnchanged
        summary.changes += counts.changes
        for (k, v) in counts.skipped { summary.skipped[k, default: 0] += v }
    }
}
