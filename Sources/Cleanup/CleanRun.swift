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
    /// The filter core (decider and edit planner), shared with the proxy.
    let enricher: Enricher
    let store: AuditStore
    let progress: (@Sendable (CleanProgress) -> Void)?
    let stopRequested: Atomic<Bool>

    public init(options: CleanOptions, store: AuditStore, progress: (@Sendable (CleanProgress) -> Void)? = nil) {
        self.options = options
        self.enricher = Enricher(policy: options.policy, hanging: options.hanging, taxonomy: options.taxonomy, model: options.model)
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
        return SHA256.hex([options.output.mode.rawValue, sources, out, options.policy.hash, options.model.modelID].joined(separator: "\u{1F}"))
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
        // Files whose change rows an interrupted attempt already stored (it
        // was killed before their progress rows): not recorded again.
        var recorded = Set<String>()
        // The time stamp written into every file: the run's start, the same
        // on a resume, so that a file planned again gets identical edits.
        var stampDate = startedAt
        if let previous = try store.resumableRun(jobKey: key), let id = previous.id {
            runID = id
            try store.markRunning(id: id)
            done = try store.completedFiles(runID: id)
            decided = Set(try store.decisions(filter: DecisionFilter(runID: id)).map(\.seriesInstanceUID))
            recorded = try store.changedFiles(runID: id).subtracting(done)
            stampDate = previous.startedAt
            summary.resumed = true
        } else {
            runID = try store.startRun(RunRecord(
                id: nil, jobKey: key, command: options.commandLine, mode: options.output.mode,
                policyHash: options.policy.hash, modelID: options.model.modelID,
                host: ProcessInfo.processInfo.hostName, startedAt: startedAt, finishedAt: nil, status: .running,
                countsJSON: "{}"))
        }
        summary.runID = runID
        let rows = AuditRows(runID: runID)
        @Sendable func elapsed() -> Double { let d = ContinuousClock.now - clock; return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

        let scanner = SeriesScanner(jobs: options.jobs) { [progress] seen, series in
            progress?(CleanProgress(phase: .scanning, filesDone: seen, filesTotal: nil, series: series, elapsed: 0))
        }
        // Each file is parsed once: the scan keeps its objects for the write
        // (up to options.keepParsed; ParsedObjects).
        let kept = ParsedObjects(limit: options.keepParsed, skip: done)
        let scan = scanner.scan(paths: options.sources, keeping: kept)
        summary.filesSeen = scan.filesSeen
        summary.series = scan.series.count
        summary.dicomRead = scan.series.reduce(0) { $0 + $1.files.count }
        let layout: OutputLayout? = {
            if case .directory(let dir) = options.output { return OutputLayout(sources: options.sources, output: dir) }
            return nil
        }()
        // With --out, a file that looks like DICOM but cannot be used is
        // copied unchanged (nothing silently missing from the output tree).
        let copyUnedited = scan.failures.filter { layout != nil && CleanRun.belongsInOutput($0) }
        try recordScanFailures(scan.failures.filter { !(layout != nil && CleanRun.belongsInOutput($0)) }, rows: rows, done: done,
                               summary: &summary)
        // A killed attempt's temporary files go before anything is written.
        sweepTemporaryFiles(scan.series.flatMap(\.files) + copyUnedited.map(\.path), layout: layout, olderThan: startedAt)

        let total = summary.dicomRead + copyUnedited.count
        // One decision per series, all made (and audited) before any file is written.
        // CT series the policy's pixelCheck selects are cross-checked against
        // their pixels before the decision is final.
        var decisions: [SeriesDecision] = []
        var decisionRows: [DecisionRecord] = []
        let checker = PixelCrossCheck(policy: options.policy, taxonomy: options.taxonomy, jobs: options.jobs)
        var pixelAudit = PixelAudit()
        // Each series is read with its study (Classifier's StudyContext).
        let studyDecisions = enricher.decide(series: scan.series.map(\.metadata), studies: scan.series.map(\.studyInstanceUID))
        for (index, series) in scan.series.enumerated() {
            let decision = crossChecked(studyDecisions[index], series: series,
                                        decider: enricher.decider, checker: checker, runID: runID,
                                        firstTime: !decided.contains(series.seriesInstanceUID), audit: &pixelAudit,
                                        summary: &summary)
            summary.decisions[decision.kind, default: 0] += 1
            decisions.append(decision)
            if !decided.contains(series.seriesInstanceUID) {
                decisionRows.append(rows.decision(decision, studyInstanceUID: series.studyInstanceUID,
                                                  seriesInstanceUID: series.seriesInstanceUID, modality: series.modality,
                                                  files: series.files.count, patientID: series.patientID,
                                                  accessionNumber: series.accessionNumber))
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
        for failure in copyUnedited {
            if done.contains(failure.path) { summary.skipped[failure.kind, default: 0] += 1 } else {
                work.append(WorkItem(series: nil, path: failure.path, failure: failure))
            }
        }
        // Files are processed in chunks on `jobs` threads; each chunk is then
        // audited and committed on one serial queue while the next chunk is
        // already being processed.
        let stamp = CleanRun.dateTime(stampDate)
        let recorder = BatchRecorder(finished: summary.filesAlreadyDone)
        let auditQueue = DispatchQueue(label: "bodypart.clean.audit")
        let chunkSize = options.batchSize * options.jobs
        let seriesList = scan.series
        var start = 0
        while start < work.count && !recorder.failed {
            if stopRequested.load(ordering: .relaxed) { summary.interrupted = true; break }
            let chunk = Array(work[start..<min(work.count, start + chunkSize)])
            start += chunk.count
            let (outcomes, writer) = process(chunk, decisions: decisions, series: seriesList, layout: layout, stamp: stamp,
                                             kept: kept)
            auditQueue.async { [progress, recorded] in
                do {
                    let counts = try self.record(outcomes, writer: writer, rows: rows, recorded: recorded)
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
            try copyOthers(scan.failures.filter { $0.kind == "not-dicom" }, layout: layout!, rows: rows, done: done)
        }
        summary.elapsed = elapsed()
        try store.finishRun(id: runID, status: summary.interrupted ? .interrupted : .done, counts: summary.counts)
        return summary
    }

    /// A scan failure that still belongs in an `--out` tree: the file is
    /// there and may be DICOM (truncated, malformed, unsupported, an
    /// incomplete header), as opposed to not DICOM at all or not walkable.
    static func belongsInOutput(_ failure: ScanFailure) -> Bool {
        failure.kind != "not-dicom" && failure.kind != "walk"
    }

    /// A file to process and the index of its series (nil: a file the scan
    /// could not use, copied unchanged into the output tree).
    struct WorkItem: Sendable {
        let series: Int?
        let path: String
        var failure: ScanFailure? = nil
    }

    /// One file's result.
    struct Outcome: Sendable {
        let path: String
        var seriesInstanceUID = ""
        var output: String?
        var sopInstanceUID = ""
        var changes: [PlannedChange] = []
        var status = FileOutcome.unchanged
        /// Why it could not be edited (`kind`, one-line message).
        var failure: (kind: String, message: String)?
    }

    /// Loads, plans, edits and stages a batch on `jobs` threads. Nothing is
    /// renamed yet: the caller audits the changes first, then commits the
    /// returned writer (write-ahead: no change reaches a file unaudited).
    func process(_ batch: [WorkItem], decisions: [SeriesDecision], series: [ScannedSeries], layout: OutputLayout?,
                 stamp: String, kept: ParsedObjects? = nil) -> ([Outcome], AtomicWriter) {
        let results = Mutex<[Int: Outcome]>([:])
        let merged = Mutex(AtomicWriter())
        let jobs = min(options.jobs, batch.count)
        let chunk = (batch.count + jobs - 1) / jobs
        let output = options.output
        let planner = enricher.planner
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            let writer = AtomicWriter()
            var local: [Int: Outcome] = [:]
            for index in (worker * chunk)..<min(batch.count, (worker + 1) * chunk) {
                let item = batch[index]
                guard let seriesIndex = item.series else {
                    local[index] = CleanRun.copyUnedited(Outcome(path: item.path), failure: item.failure, output: output,
                                                         layout: layout, writer: writer)
                    continue
                }
                var outcome = CleanRun.processFile(item.path, decision: decisions[seriesIndex], planner: planner,
                                                   output: output, layout: layout, stamp: stamp, writer: writer,
                                                   parsed: kept?.take(item.path))
                outcome.seriesInstanceUID = series[seriesIndex].seriesInstanceUID
                local[index] = outcome
            }
            results.withLock { all in all.merge(local) { a, _ in a } }
            merged.withLock { $0.absorb(writer) }
        }
        let outcomes = results.withLock { all in (0..<batch.count).map { all[$0]! } }
        return (outcomes, merged.withLock { $0 })
    }

    /// Plans, edits and stages one file: `parsed` is the scan's object of
    /// it, when kept (else the file is read again).
    static func processFile(_ path: String, decision: SeriesDecision, planner: EditPlanner, output: CleanOutput,
                            layout: OutputLayout?, stamp: String, writer: AtomicWriter, parsed: DicomObject? = nil) -> Outcome {
        var outcome = Outcome(path: path)
        do throws(DicomError) {
            let object: DicomObject
            if let parsed { object = parsed } else { object = try DicomObject(path: path) }
            let dataset = object.dataset(including: EditPlanner.reads)
            outcome.sopInstanceUID = dataset.string(.sopInstanceUID) ?? ""
            let plan = planner.plan(decision, dataset: dataset, dateTime: stamp)
            outcome.changes = plan.changes
            switch output {
            case .dryRun:
                outcome.status = plan.isEmpty ? .unchanged : .wouldWrite
            case .inPlace:
                outcome.output = path
                guard !plan.isEmpty else { return outcome }
                try object.apply(plan.edits)
                try writer.stage(object, to: path, permissions: CleanRun.permissions(of: path))
                outcome.status = .written
            case .directory:
                let destination = layout!.destination(for: path)
                outcome.output = destination
                try CleanRun.makeFolder(for: destination)
                if plan.isEmpty {
                    try writer.stageCopy(of: path, to: destination, permissions: CleanRun.permissions(of: path))
                    outcome.status = .copied
                    return outcome
                } else {
                    try object.apply(plan.edits)
                    try writer.stage(object, to: destination, permissions: CleanRun.permissions(of: path))
                }
                outcome.status = .written
            }
        } catch {
            outcome.changes = []
            outcome.output = nil
            outcome.status = .failed
            outcome.failure = (error.kind, error.description)
            // Lose nothing: a file that cannot be edited still belongs in the
            // output tree, unchanged (the error is audited all the same).
            if case .directory = output { return copyUnedited(outcome, failure: nil, output: output, layout: layout, writer: writer) }
        }
        return outcome
    }

    /// Stages a byte-for-byte copy of a file that cannot be edited into the
    /// output tree (`--out` only); its error (`failure`, else the outcome's)
    /// is audited with "copied unchanged". A copy that fails leaves the
    /// outcome failed.
    static func copyUnedited(_ outcome: Outcome, failure: ScanFailure?, output: CleanOutput, layout: OutputLayout?,
                             writer: AtomicWriter) -> Outcome {
        var outcome = outcome
        if let failure { outcome.failure = (failure.kind, failure.message) }
        outcome.status = .failed
        guard case .directory = output, let layout else { return outcome }
        let destination = layout.destination(for: outcome.path)
        do throws(DicomError) {
            try CleanRun.makeFolder(for: destination)
            try writer.stageCopy(of: outcome.path, to: destination, permissions: CleanRun.permissions(of: outcome.path))
            outcome.output = destination
            outcome.status = .copiedUnedited
        } catch {
            let reason = outcome.failure?.message ?? outcome.path
            outcome.failure = (outcome.failure?.kind ?? error.kind, "\(reason); cannot copy it unchanged: \(error)")
        }
        return outcome
    }
}
