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
        @Sendable func elapsed() -> Double { let d = ContinuousClock.now - clock; return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

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
        // One decision per series, all made (and audited) before any file is written.
        // CT series the policy's pixelCheck selects are cross-checked against
        // their pixels before the decision is final.
        var decisions: [SeriesDecision] = []
        var decisionRows: [DecisionRecord] = []
        let checker = PixelCrossCheck(policy: options.policy, taxonomy: options.taxonomy, jobs: options.jobs)
        var pixelAudit = PixelAudit()
        // Each series is read with its study (Classifier's StudyContext).
        let predictions = options.model.predict(scan.series.map(\.metadata), studies: scan.series.map(\.studyInstanceUID))
        for (index, series) in scan.series.enumerated() {
            let prediction = options.policy.skipReason(modality: series.modality) == nil ? predictions[index] : nil
            let decision = crossChecked(predictor.decide(series: series.metadata, prediction: prediction), series: series,
                                        decider: predictor, checker: checker, runID: runID,
                                        firstTime: !decided.contains(series.seriesInstanceUID), audit: &pixelAudit,
                                        summary: &summary)
            summary.decisions[decision.kind, default: 0] += 1
            decisions.append(decision)
            if !decided.contains(series.seriesInstanceUID) {
                decisionRows.append(decisionRecord(decision, series: series, runID: runID))
            }
        }
        try store.append(decisions: decisionRows, changes: [], errors: pixelAudit.errors, progress: [],
                         reviews: pixelAudit.reviews)
        var work: [WorkItem] = []
        for (index, series) in scan.series.enumerated() {
            for file in series.files {
                if done.contains(file) { summary.filesAlreadyDone += 1 } else { work.append(WorkItem(series: index, path: file)) }
            }
        }
        // Files are processed in chunks on `jobs` threads; each chunk is then
        // audited and committed on one serial queue while the next chunk is
        // already being processed.
        let stamp = CleanRun.dateTime(Date())
        let recorder = BatchRecorder(finished: summary.filesAlreadyDone)
        let auditQueue = DispatchQueue(label: "bodypart.clean.audit")
        let chunkSize = options.batchSize * options.jobs
        let seriesList = scan.series
        var start = 0
        while start < work.count && !recorder.failed {
            if stopRequested.load(ordering: .relaxed) { summary.interrupted = true; break }
            let chunk = Array(work[start..<min(work.count, start + chunkSize)])
            start += chunk.count
            let (outcomes, writer) = process(chunk, decisions: decisions, series: seriesList, planner: planner,
                                              layout: layout, stamp: stamp)
            auditQueue.async { [progress] in
                do {
                    let counts = try self.record(outcomes, writer: writer, runID: runID)
                    let finished = recorder.add(counts)
                    progress?(CleanProgress(phase: .writing, filesDone: finished, filesTotal: total,
                                            series: seriesList.count, elapsed: elapsed()))
                } catch {
                    writer.discard()
                    recorder.fail(error)
                }
            }
        }
        auditQueue.sync {}
        if let error = recorder.error { throw error }
        recorder.merge(into: &summary)
        if !summary.interrupted, case .directory = options.output, options.copyOther {
            try copyOthers(scan.failures.filter { $0.kind == "not-dicom" }, layout: layout!, runID: runID, done: done)
        }
        sweepTemporaryFiles(scan.series, layout: layout, olderThan: startedAt)
        summary.elapsed = elapsed()
        try store.finishRun(id: runID, status: summary.interrupted ? "interrupted" : "done", counts: summary.counts)
        return summary
    }

    /// A file to process and the index of its series.
    struct WorkItem: Sendable {
        let series: Int
        let path: String
    }

    /// One file's result.
    struct Outcome: Sendable {
        let path: String
        var seriesInstanceUID = ""
        var output: String?
        var sopInstanceUID = ""
        var changes: [PlannedChange] = []
        var status = "unchanged"
        var error: DicomError?
    }

    /// Loads, plans, edits and stages a batch on `jobs` threads. Nothing is
    /// renamed yet: the caller audits the changes first, then commits the
    /// returned writer (write-ahead: no change reaches a file unaudited).
    func process(_ batch: [WorkItem], decisions: [SeriesDecision], series: [ScannedSeries], planner: EditPlanner,
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
                let item = batch[index]
                var outcome = CleanRun.processFile(item.path, decision: decisions[item.series], planner: planner,
                                                   output: output, layout: layout, stamp: stamp, writer: writer)
                outcome.seriesInstanceUID = series[item.series].seriesInstanceUID
                local[index] = outcome
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
            let dataset = object.dataset(including: EditPlanner.reads)
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
