import Audit
import Cleanup
import DicomCore
import Foundation
import Logging

/// Fetches matched priors off the forwarding path: a routed study whose
/// route has `priors:` becomes a `PriorJob` (persisted in `SPOOL/priors/`),
/// and one thread works the jobs: C-FIND the archive, decide each prior's
/// region with the classifier, C-MOVE the matching ones to the destination.
/// A failed query or move never holds a forwarder; the job is retried with
/// the queue's backoff (`retry`) and counted in the metrics.
final class PriorFetcher: @unchecked Sendable {
    let querier: any PriorQuerying
    let router: SeriesRouter
    let enricher: Enricher
    let store: AuditStore
    let audit: AuditWriter
    let metrics: RoutingMetrics
    let retry: RetrySchedule
    let archives: [Destination]
    let folder: String
    let logger: Logger

    let condition = NSCondition()
    var jobs: [String: PriorJob] = [:]
    /// Priors moved in this run, `destination|study` (the audit has them too, once written).
    var sent = Set<String>()
    private var stopping = false
    private var finished = true

    init(querier: any PriorQuerying, router: SeriesRouter, enricher: Enricher, store: AuditStore, audit: AuditWriter,
         metrics: RoutingMetrics, retry: RetrySchedule, archives: [Destination], spoolRoot: String, logger: Logger) throws {
        self.querier = querier
        self.router = router
        self.enricher = enricher
        self.store = store
        self.audit = audit
        self.metrics = metrics
        self.retry = retry
        self.archives = archives
        folder = spoolRoot + "/priors"
        self.logger = logger
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".json") {
            if let data = FileManager.default.contents(atPath: folder + "/" + name),
               let job = try? decoder.decode(PriorJob.self, from: data) {
                jobs[job.key] = job
            }
        }
    }

    /// Jobs waiting (a retry included) and those among them that failed before.
    var pending: (jobs: Int, retrying: Int, lastError: String?) {
        condition.lock()
        defer { condition.unlock() }
        let failed = jobs.values.filter { $0.attempts > 0 }
        return (jobs.count, failed.count, failed.compactMap(\.lastError).last)
    }

    /// A series was routed: one job per destination of each rule with priors
    /// that took it. Returns at once (the forwarder goes on sending).
    func routed(_ record: SeriesRecord, route: RoutingDecision, header: DicomHeader) {
        let rules = router.table.rules.filter { route.rules.contains($0.name) && $0.priors != nil }
        guard !rules.isEmpty else { return }
        let dataset = header.dataset
        let study = dataset.string(.studyInstanceUID) ?? ""
        let series = dataset.string(.seriesInstanceUID) ?? ""
        let patient = dataset.elements.first { $0.keyword == "PatientID" }?.text ?? ""
        guard let region = RouteRule.predictedBodyPart(record.decision), !patient.isEmpty, !study.isEmpty else {
            let why = patient.isEmpty ? "no PatientID" : "no body part predicted for the new series"
            audit.enqueue(routings: rules.map {
                RoutingRecord(runID: audit.runID, kind: "prior-skip", studyInstanceUID: study, seriesInstanceUID: series,
                              rule: $0.name, detail: "priors not fetched: \(why)")
            })
            return
        }
        condition.lock()
        for rule in rules {
            guard let settings = rule.priors, let archive = RouteTable.resolve(settings.archive, in: archives) else { continue }
            for name in rule.destinations {
                guard let destination = RouteTable.resolve(name, in: router.destinations) else { continue }
                let job = PriorJob(studyInstanceUID: study, seriesInstanceUID: series, patientID: patient,
                                   studyDate: dataset.elements.first { $0.keyword == "StudyDate" }?.text, region: region,
                                   rule: rule.name, destination: destination.description, destinationAE: destination.aeTitle,
                                   archive: archive.description)
                guard jobs[job.key] == nil else { continue }
                jobs[job.key] = job
                save(job)
            }
        }
        condition.signal()
        condition.unlock()
    }

    func start() {
        condition.lock()
        finished = false
        condition.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "bodypart-priors"
        thread.start()
    }

    /// Finishes the job in progress, then stops (the rest stays in SPOOL/priors/).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            if stopping { break }
            let now = Date()
            let due = jobs.values.filter { $0.next <= now }.min { $0.next < $1.next }
            guard var job = due else {
                let wake = jobs.values.map(\.next).min().map { min($0, now.addingTimeInterval(1)) } ?? now.addingTimeInterval(1)
                _ = condition.wait(until: wake)
                condition.unlock()
                continue
            }
            condition.unlock()
            let failure = fetch(&job)
            condition.lock()
            if let failure {
                var again = job
                again.attempts += 1
                again.lastError = failure.reason
                if again.attempts >= maxAttempts(again) {
                    jobs[job.key] = nil
                    unlink(folder + "/" + job.key + ".json")
                    abandon(again, failure)
                } else {
                    again.next = Date().addingTimeInterval(retry.delay(afterAttempt: again.attempts))
                    jobs[job.key] = again
                    save(again)
                    logger.warning("prior fetch failed; will retry", metadata: [
                        "study": "\(job.studyInstanceUID)", "archive": "\(job.archive)", "attempt": "\(again.attempts)",
                        "retry_in_s": "\(retry.delay(afterAttempt: again.attempts))", "reason": "\(failure.reason)"])
                }
            } else {
                jobs[job.key] = nil
                unlink(folder + "/" + job.key + ".json")
            }
            metrics.priorsRetrying.set(Double(jobs.values.filter { $0.attempts > 0 }.count))
            condition.unlock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The route's `priors.max_attempts` for `job`.
    func maxAttempts(_ job: PriorJob) -> Int {
        router.table.rules.first { $0.name == job.rule }?.priors?.maxAttempts ?? PriorSettings.defaultMaxAttempts
    }

    /// The fetches of `series` not done yet, for its page in the console.
    func pendingFetches(series: String) -> [SeriesView.PendingFetch] {
        condition.lock()
        defer { condition.unlock() }
        return jobs.values.filter { $0.seriesInstanceUID == series }.sorted { $0.destination < $1.destination }.map {
            SeriesView.PendingFetch(destination: $0.destination, attempts: $0.attempts, maxAttempts: maxAttempts($0),
                                    next: $0.next, lastError: $0.lastError)
        }
    }

    /// Gives `job` up after its last failed attempt: each prior it left unmoved (or the
    /// fetch itself, when the patient's query failed) gets a `prior-failed` row with status
    /// `abandoned`, and is never tried again. The job has left `jobs` and the spool already.
    private func abandon(_ job: PriorJob, _ failure: Failure) {
        let text = "gave up after \(job.attempts) failed attempt\(job.attempts == 1 ? "" : "s") (priors.max_attempts): \(failure.reason)"
        let rows = failure.priors.isEmpty
            ? [job.row("prior-failed", status: "abandoned", text, runID: audit.runID)]
            : failure.priors.map { job.row("prior-failed", prior: $0.study, regions: $0.regions, status: "abandoned", text, runID: audit.runID) }
        audit.enqueue(routings: rows)
        metrics.priorsAbandoned.increment()
        logger.error("prior fetch given up", metadata: [
            "study": "\(job.studyInstanceUID)", "archive": "\(job.archive)", "destination": "\(job.destination)",
            "attempts": "\(job.attempts)", "reason": "\(failure.reason)"])
    }

    private func save(_ job: PriorJob) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(job) else { return }
        let file = folder + "/" + job.key + ".json"
        let temporary = file + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: data) { rename(temporary, file) }
    }
}
