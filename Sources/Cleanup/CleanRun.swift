import Audit
import Classifier
import DicomCore
import DicomIO
import Dispatch
import Foundation
import Synchronization

/// A cleanup run over files on disk: scan and group by series, decide once
/// per series, write every instance (or nothing, in a dry run), and audit
/// every decision, change and error. Resumable: the same job started again
/// after an interruption continues where it stopped (the audit holds which
/// files are finished), and never changes a file twice (edits are planned
/// against the file's current state, and bodypart's own earlier changes are
/// recognised).
public final class CleanRun: Sendable {
    public let options: CleanOptions
    let store: AuditStore
    let progress: (@Sendable (CleanProgress) -> Void)?
    let stopRequested: Atomic<Bool>

    public init(options: CleanOptions, store: AuditStore, progress: (@Sendable (CleanProgress) -> Void)? = nil) {
        self.options = options
        self.store = store
        self.progress = progress
        self.stopRequested = Atomic(false)
    }

    /// Asks the run to stop after the batch in progress (Ctrl-C); the run is
    /// then marked interrupted and the same command resumes it.
    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// The job key: same sources, output, mode, policy and model → same job.
    public var jobKey: String {
        let sources = options.sources.map { OutputLayout.absolute($0) }.sorted().joined(separator: "\n")
        let out: String
        if case .directory(let dir) = options.output { out = OutputLayout.absolute(dir) } else { out = "" }
        return SHA256.hex([options.output.mode, sources, out, options.policy.hash, options.model.modelID].joined(separator: "\u{1F}"))
    }

    /// Runs the job to the end (or until `requestStop`).
    public func run() throws -> CleanSummary {
        let clock = ContinuousClock.now
        let startedAt = Date()
        var summary = CleanSummary()
        let key = jobKey
        let runID: Int64
        var done = Set<String>()
        var decided = Set<String>()
        if let previous = try store.resumableRun(jobKey: key), let id = previous.id {
            runID = id
            try store.markRunning(id: id)
            done = try store.completedFiles(runID: id)
            decided = Set(try store.decisions(filter: DecisionFilter(runID: id)).map(\.seriesInstanceUID))
            summary.resumed = true
        } else {
            runID = try store.startRun(RunRecord(
                id: nil, jobKey: key, command: options.commandLine, mode: options.output.mode,
                policyHash: options.policy.hash, modelID: options.model.modelID,
                host: ProcessInfo.processInfo.hostName, startedAt: Date(), finishedAt: nil, status: "running",
                countsJSON: "{}"))
        }
        summary.runID = runID
        func elapsed() -> Double { let d = ContinuousClock.now - clock; return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

        let scanner = SeriesScanner(jobs: options.jobs) { [progress] seen, series in
            progress?(CleanProgress(phase: .scanning, filesDone: seen, filesTotal: nil, series: series, elapsed: 0))
        }
        let scan = scanner.scan(paths: options.sources)
        summary.filesSeen = scan.filesSeen
        summary.series = scan.series.count
        summary.dicomRead = scan.series.reduce(0) { $0 + $1.files.count }
        try recordScanFailures(scan.failures, runID: runID, done: done, summary: &summary)

        let predictor = SeriesDecider(policy: options.policy, taxonomy: options.taxonomy, hanging: options.hanging)
        let planner = EditPlanner(policy: options.policy, taxonomy: options.taxonomy, modelID: options.model.modelID)
        let layout: OutputLayout? = {
            if case .directory(let dir) = options.output { return OutputLayout(sources: options.sources, output: dir) }
            return nil
        }()
        let total = summary.dicomRead
        var finished = 0
        for series in scan.series {
            if stopRequested.load(ordering: .relaxed) { summary.interrupted = true; break }
            let prediction = options.policy.skipReason(modality: series.modality) == nil
                ? options.model.predict(series.metadata) : nil
            let decision = predictor.decide(series: series.metadata, prediction: prediction)
            summary.decisions[decision.kind, default: 0] += 1
            if !decided.contains(series.seriesInstanceUID) {
                try store.append(decisions: [decisionRecord(decision, series: series, runID: runID)],
                                 changes: [], errors: [], progress: [])
            }
            let pending = series.files.filter { !done.contains($0) }
            summary.filesAlreadyDone += series.files.count - pending.count
            finished += series.files.count - pending.count
            let stamp = CleanRun.dateTime(Date())
            var start = 0
            while start < pending.count {
                if stopRequested.load(ordering: .relaxed) { summary.interrupted = true; break }
                let batch = Array(pending[start..<min(pending.count, start + options.batchSize * options.jobs)])
                start += batch.count
                let (outcomes, writer) = process(batch, decision: decision, planner: planner, layout: layout, stamp: stamp)
                try record(outcomes, writer: writer, series: series, runID: runID, summary: &summary)
                finished += batch.count
                progress?(CleanProgress(phase: .writing, filesDone: finished, filesTotal: total, series: summary.series,
                                        elapsed: elapsed()))
            }
            if summary.interrupted { break }
        }
        if !summary.interrupted, case .directory = options.output, options.copyOther {
            try copyOthers(scan.failures.filter { $0.kind == "not-dicom" }, layout: layout!, runID: runID, done: done)
        }
        sweepTemporaryFiles(scan.series, layout: layout, olderThan: startedAt)
        summary.elapsed = elapsed()
        try store.finishRun(id: runID, status: summary.interrupted ? "interrupted" : "done", counts: summary.counts)
        return summary
    }

    /// One file's result.
    struct Outcome: Sendable {
        let path: String
        var output: String?
        var sopInstanceUID = ""
        var changes: [PlannedChange] = []
        var status = "unchanged"
        var error: DicomError?
    }

    /// Loads, plans, edits and stages a batch on `jobs` threads. Nothing is
    /// renamed yet: the caller audits the changes first, then commits the
    /// returned writer (write-ahead: no change reaches a file unaudited).
    func process(_ batch: [String], decision: SeriesDecision, planner: EditPlanner,
                 layout: OutputLayout?, stamp: String) -> ([Outcome], AtomicWriter) {
        let results = Mutex<[Int: Outcome]>([:])
        let merged = Mutex(AtomicWriter())
        let jobs = min(options.jobs, batch.count)
        let chunk = (batch.count + jobs - 1) / jobs
        let output = options.output
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            let writer = AtomicWriter()
            var local: [Int: Outcome] = [:]
            for index in (worker * chunk)..<min(batch.count, (worker + 1) * chunk) {
                local[index] = CleanRun.processFile(batch[index], decision: decision, planner: planner, output: output,
                                                     layout: layout, stamp: stamp, writer: writer)
            }
            results.withLock { all in all.merge(local) { a, _ in a } }
            merged.withLock { $0.absorb(writer) }
        }
        let outcomes = results.withLock { all in (0..<batch.count).map { all[$0]! } }
        return (outcomes, merged.withLock { $0 })
    }

    static func processFile(_ path: String, decision: SeriesDecision, planner: EditPlanner, output: CleanOutput,
                            layout: OutputLayout?, stamp: String, writer: AtomicWriter) -> Outcome {
        var outcome = Outcome(path: path)
        do throws(DicomError) {
            let object = try DicomObject(path: path)
            let dataset = object.header.dataset
            outcome.sopInstanceUID = dataset.string(.sopInstanceUID) ?? ""
            let plan = planner.plan(decision, dataset: dataset, dateTime: stamp)
            outcome.changes = plan.changes
            let mode = CleanRun.permissions(of: path)
            switch output {
            case .dryRun:
                outcome.status = plan.isEmpty ? "unchanged" : "would-write"
            case .inPlace:
                outcome.output = path
                guard !plan.isEmpty else { return outcome }
                try object.apply(plan.edits)
                try writer.stage(object, to: path, permissions: mode)
                outcome.status = "written"
            case .directory:
                let destination = layout!.destination(for: path)
                outcome.output = destination
                try CleanRun.makeFolder(for: destination)
                if plan.isEmpty {
                    try writer.stageCopy(of: path, to: destination, permissions: mode)
                    outcome.status = "copied"
                    return outcome
                } else {
                    try object.apply(plan.edits)
                    try writer.stage(object, to: destination, permissions: mode)
                }
                outcome.status = "written"
            }
        } catch {
            outcome.status = "failed"
            outcome.error = error
            outcome.changes = []
            // Lose nothing: a file that cannot be edited still belongs in the
            // output tree, unchanged (the error is audited all the same).
            if case .directory = output, let layout {
                let destination = layout.destination(for: path)
                do throws(DicomError) {
                    try CleanRun.makeFolder(for: destination)
                    try writer.stageCopy(of: path, to: destination, permissions: CleanRun.permissions(of: path))
                    outcome.output = destination
                    outcome.status = "copied-unedited"
                } catch {}
            }
        }
        return outcome
    }
}
