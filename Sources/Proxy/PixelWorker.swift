import Audit
import Cleanup
import DicomCore
import DicomIO
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The proxy's pixel cross-check (the policy's `pixelCheck`, as `clean` does
/// it), made after forwarding so that it never delays or changes it:
///
/// 1. `keep`: when an object of a series the policy may select arrives, a
///    hard link into `SPOOL/pixel/SERIES/` (PixelArchive) — before the
///    object is queued, so no delivery can remove it first.
/// 2. A thread of its own, at the lowest CPU priority, looks at the kept
///    series: one the policy does not select once it is decided (or already
///    checked) is dropped at once; one selected is checked once it has been
///    quiet for `pixel.settle_seconds` and, with `quietHours`, inside them
///    (PixelSchedule). A series not decided yet waits for its decision.
/// 3. The check: the built-in pixel check or the policy's plug-in
///    (PixelCrossCheck), the decision revised as `clean` revises it. The
///    audit gets a decision row (FLAGGED with a review on disagreement;
///    otherwise what was sent, the pixel answer noted), then the series'
///    record notes the outcome and the folder goes. Nothing is sent again.
///
/// A failing model never blocks: its failure is audited, the series
/// counted as checked. After a crash the folders are still there and are
/// checked then; a crash between the audit and the record's update audits
/// the series a second time (the review is not opened twice).
final class PixelWorker: @unchecked Sendable {
    let archive: PixelArchive
    let decisions: SeriesDecisions
    let enricher: Enricher
    let schedule: PixelSchedule
    let checker: PixelCrossCheck
    let audit: AuditWriter
    let metrics: ProxyMetrics
    let logger: Logger
    /// Bytes the kept objects may take: `pixel.max_spool_share` of the spool's file system.
    let budget: Int64
    /// Bytes kept now (counted on keeping, recounted on every pass).
    private let keptBytes = Mutex<Int64>(0)

    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    /// Series folders whose check is being audited.
    private var inFlight = Set<String>()
    /// What the worker read of each kept series (folder → first instance).
    private var identities: [String: Identity] = [:]

    /// A kept series as its first readable instance describes it.
    struct Identity {
        let seriesInstanceUID: String
        let studyInstanceUID: String
        let modality: String?
        let header: DicomHeader
    }

    init(spool: Spool, decisions: SeriesDecisions, enricher: Enricher, settings: PixelSettings, audit: AuditWriter,
         metrics: ProxyMetrics, logger: Logger) {
        archive = PixelArchive(spoolRoot: spool.root)
        self.decisions = decisions
        self.enricher = enricher
        schedule = PixelSchedule(settleSeconds: settings.settleSeconds, quietHours: enricher.policy.quietHours)
        // One slice reader: the work stays on this low-priority thread.
        checker = PixelCrossCheck(policy: enricher.policy, taxonomy: enricher.taxonomy, jobs: 1)
        self.audit = audit
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "task"] = "pixel-check"
        self.logger = logger
        let size = archive.fileSystemBytes()
        budget = size > 0 ? Int64(Double(size) * settings.maxSpoolShare) : .max
        let kept = archive.pending().reduce(Int64(0)) { $0 + $1.bytes }
        keptBytes.withLock { $0 = kept }
    }

    /// Keeps an accepted object for the pixel check when the policy may
    /// select its series (called before the object is queued). Returns the
    /// link made, nil when none. A failure is logged, never thrown: the
    /// check is a second opinion, the object is forwarded all the same.
    func keep(receivedFile path: String, header: DicomHeader) -> String? {
        let policy = enricher.policy
        let dataset = header.dataset
        guard let series = dataset.string(.seriesInstanceUID), !series.isEmpty,
              policy.mayPixelCheck(modality: dataset.string(.modality), seriesInstanceUID: series) else { return nil }
        if let record = decisions.known(series: series) {
            guard record.pixelCheck == nil,
                  policy.selectsPixelCheck(modality: dataset.string(.modality), decision: record.decision,
                                           seriesInstanceUID: series) else { return nil }
        }
        if archive.isSkipped(series) {
            archive.renewSkip(series)  // the series' last arrival
            return nil
        }
        // Within the budget, or the series is not checked (a partial one would be checked wrongly).
        let size = PixelArchive.size(path)
        let fits = keptBytes.withLock { kept in
            guard kept + size <= budget else { return false }
            kept += size
            return true
        }
        guard fits else {
            let reason = "the kept objects would take more than pixel.max_spool_share of the spool's file system "
                + "(\(budget / 1_048_576) MiB)"
            let freed = archive.skip(series, reason: reason)
            keptBytes.withLock { $0 -= freed }
            logger.warning("series not pixel-checked: \(reason); forwarded all the same", metadata: ["series": "\(series)"])
            return nil
        }
        do {
            return try archive.keep(path, series: series, sopInstanceUID: dataset.string(.sopInstanceUID) ?? "")
        } catch {
            keptBytes.withLock { $0 -= size }
            logger.warning("cannot keep the object for the pixel check; forwarded all the same", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Series kept and not checked yet.
    var pendingSeries: Int { archive.pending().count }

    func start() {
        condition.lock()
        running = true
        condition.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "bodypart-pixel"
        thread.start()
    }

    /// Stops after the check in progress (if any); what is pending stays kept.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    private func run() {
        // Linux: the nice value is per thread; 0 is this thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        let interval = min(2, max(0.2, schedule.settleSeconds / 4))
        while !isStopping {
            pass(now: Date())
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            condition.unlock()
        }
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// One look at every kept series.
    func pass(now: Date) {
        let pending = archive.pending()
        metrics.pixelPending.set(Double(pending.count))
        keptBytes.withLock { $0 = pending.reduce(0) { $0 + $1.bytes } }
        let policy = enricher.policy
        for series in pending {
            if isStopping { return }
            condition.lock()
            let busy = inFlight.contains(series.folder)
            condition.unlock()
            if busy { continue }
            if let (uid, reason) = series.skipped {
                skipped(series, uid: uid, reason: reason, now: now)
                continue
            }
            let files = archive.files(in: series.folder)
            guard let identity = identity(of: series.folder, files: files) else {
                if now.timeIntervalSince(series.lastArrival) > max(schedule.settleSeconds, 60) { drop(series.folder) }
                continue
            }
            // Decided by the forwarder on the first instance it sent; until then, wait.
            guard let record = decisions.known(series: identity.seriesInstanceUID) else { continue }
            guard record.pixelCheck == nil,
                  policy.selectsPixelCheck(modality: identity.modality, decision: record.decision,
                                           seriesInstanceUID: identity.seriesInstanceUID) else {
                drop(series.folder)
                continue
            }
            guard schedule.state(lastArrival: series.lastArrival, now: now) == .due else { continue }
            check(series.folder, files: files, identity: identity, record: record)
        }
    }

    /// A series not to be checked: once it has settled, the audit says why
    /// and the series' record notes it (later instances are not kept).
    private func skipped(_ series: PixelArchive.Series, uid: String, reason: String, now: Date) {
        if case .settling = schedule.state(lastArrival: series.lastArrival, now: now) { return }
        // Decided by the forwarder on the first instance it sent; until then, wait.
        guard let record = decisions.known(series: uid) else { return }
        let failure = PixelOpinion.failure(model: checker.policy.pixelModel?.command ?? PixelCrossCheck.builtInModel,
                                           "pixel check skipped: \(reason)")
        let outcome = PixelCheckRecord(opinion: failure, decision: record.decision.kind, disagreement: false, objects: 0,
                                       checkedAt: Date().ISO8601Format())
        metrics.pixelSkipped.increment()
        condition.lock()
        inFlight.insert(series.folder)
        condition.unlock()
        audit.enqueue(errors: [ErrorRecord(runID: audit.runID, path: "pixel:" + series.folder, kind: "pixel-skipped",
                                           message: "series \(uid) not checked against its pixels: \(reason)")]) { [self] in
            do {
                try decisions.notePixelCheck(series: uid, outcome)
            } catch {
                logger.error("cannot note the skipped pixel check in the series record", metadata: ["series": "\(uid)", "error": "\(error)"])
                return
            }
            drop(series.folder)
            condition.lock()
            inFlight.remove(series.folder)
            condition.unlock()
        }
    }

    private func identity(of folder: String, files: [String]) -> Identity? {
        condition.lock()
        let known = identities[folder]
        condition.unlock()
        if let known { return known }
        for file in files {
            guard let header = try? HeaderReader().read(file) else { continue }
            let dataset = header.dataset
            guard let series = dataset.string(.seriesInstanceUID) else { continue }
            let identity = Identity(seriesInstanceUID: series, studyInstanceUID: dataset.string(.studyInstanceUID) ?? "",
                                    modality: dataset.string(.modality), header: header)
            condition.lock()
            identities[folder] = identity
            condition.unlock()
            return identity
        }
        return nil
    }

    private func drop(_ folder: String) {
        let freed = archive.remove(folder)
        keptBytes.withLock { $0 = max(0, $0 - freed) }
        condition.lock()
        identities[folder] = nil
        condition.unlock()
    }

    /// Checks one series and audits the outcome; the folder goes once the
    /// audit holds it and the series' record notes it.
    private func check(_ folder: String, files: [String], identity: Identity, record: SeriesRecord) {
        let series = identity.seriesInstanceUID
        let started = Date()
        let opinion = checker.opinion(files: files, seriesInstanceUID: series)
        let revised = enricher.crossCheck(record.decision, firstInstance: identity.header, pixel: opinion)
        let row = PixelWorker.afterForwarding(sent: record.decision, revised: revised)
        let runID = audit.runID
        let decision = row.auditRecord(runID: runID, studyInstanceUID: identity.studyInstanceUID, seriesInstanceUID: series,
                                       modality: identity.modality, files: files.count,
                                       patientID: identity.header.dataset.string(.patientID),
                                       accessionNumber: identity.header.dataset.string(.accessionNumber))
        let review = revised.reviewRecord(runID: runID, studyInstanceUID: identity.studyInstanceUID, seriesInstanceUID: series,
                                          modality: identity.modality)
        let failure = revised.pixelFailureRecord(runID: runID, path: "pixel:" + folder, seriesInstanceUID: series)
        metrics.pixelChecks.increment()
        if review != nil { metrics.pixelDisagreements.increment() }
        if failure != nil { metrics.pixelFailures.increment() }
        let metadata: Logger.Metadata = [
            "series": "\(series)", "objects": "\(files.count)", "pixel": "\(opinion.bodyPart ?? "-")",
            "confidence": "\(String(format: "%.2f", opinion.confidence))", "decision": "\(row.kind.rawValue)",
            "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(started)))",
        ]
        if review != nil {
            logger.warning("pixel check disagrees with the decision the series was forwarded with: FLAGGED, review opened",
                           metadata: metadata)
        } else if opinion.failed {
            logger.warning("pixel check failed; metadata decision kept", metadata: metadata.merging(["reason": "\(opinion.reason ?? "")"]) { a, _ in a })
        } else {
            logger.info("pixel check done", metadata: metadata)
        }
        let outcome = PixelCheckRecord(opinion: opinion, decision: revised.kind, disagreement: review != nil,
                                       objects: files.count, checkedAt: Date().ISO8601Format())
        condition.lock()
        inFlight.insert(folder)
        condition.unlock()
        audit.enqueue(decisions: [decision], errors: failure.map { [$0] } ?? [], reviews: review.map { [$0] } ?? []) { [self] in
            do {
                try decisions.notePixelCheck(series: series, outcome)
            } catch {
                // Left in flight: not checked again until a restart, which checks it again.
                logger.error("cannot note the pixel check in the series record", metadata: ["series": "\(series)", "error": "\(error)"])
                return
            }
            drop(folder)
            condition.lock()
            inFlight.remove(folder)
            condition.unlock()
        }
    }

    /// The decision row a check after forwarding appends. The objects went
    /// out edited by `sent`, so the row says what they carry:
    ///
    /// - the answers disagree: the cross-checked (FLAGGED) decision, as
    ///   `clean` records it, but with the BodyPartExamined the objects were
    ///   sent with, and the reason saying nothing was sent again;
    /// - the check leaves the decision as it was (agrees, abstains, fails):
    ///   the cross-checked decision (its reason says how the pixels answered);
    /// - the pixels would have changed it (filled where the metadata model
    ///   abstained, confirmed an abstention): the decision sent, with the
    ///   pixel answer and what it would have done.
    static func afterForwarding(sent: SeriesDecision, revised: SeriesDecision) -> SeriesDecision {
        var row: SeriesDecision
        if revised.disagreement == true {
            row = revised
            row.newBodyPartExamined = sent.newBodyPartExamined
            let carried = sent.newBodyPartExamined.map { "BodyPartExamined \($0)" }
                ?? sent.originalBodyPartExamined.map { "BodyPartExamined \($0) unchanged" } ?? "no BodyPartExamined"
            row.reason += "; checked after forwarding: the objects went out \(sent.kind.rawValue) (\(carried)) and are not "
                + "sent again; correct the destination after review"
        } else if revised.kind == sent.kind && revised.newBodyPartExamined == sent.newBodyPartExamined {
            row = revised
            row.reason += " (checked after forwarding)"
        } else {
            row = sent
            row.pixel = revised.pixel
            row.reason += "; checked after forwarding, the pixel check would make it \(revised.kind.rawValue) (\(revised.reason)); "
                + "not applied: the objects were already forwarded and are not sent again"
        }
        // The edits made are those of the decision sent.
        row.hangingCategory = sent.hangingCategory
        row.descriptions = sent.descriptions
        return row
    }
}
