import Audit
import Cleanup
import DicomCore
import DicomIO
import DicomNet
import Foundation
import Logging

extension Forwarder {
    /// Edits and sends one object, then books the outcome.
    func process(_ entry: SpoolEntry) {
        let path = context.spool.path(of: entry, for: destination)
        guard FileManager.default.fileExists(atPath: path) else { return forget(entry) }
        if Date().timeIntervalSince(entry.arrival) > context.configuration.retry.maximumAge {
            return quarantine(entry, reason: "waited longer than retry.max_age (\(Int(context.configuration.retry.maximumAge)) s)")
        }
        let object: DicomObject
        do { object = try DicomObject(path: path) } catch {
            return quarantine(entry, reason: "cannot be read: \(error)")
        }
        guard isRouted(entry, object: object, path: path) else { return }
        let (prepared, changes) = prepare(object, entry: entry, path: path)
        let header = prepared.header(including: { $0 == .sopClassUID })
        let sopClass = header.dataset.string(.sopClassUID) ?? ""
        let syntax = header.transferSyntaxUID
        if !scu.isConnected || !scu.canSend(sopClass: sopClass, transferSyntax: syntax) {
            do { try scu.connect(adding: sopClass, transferSyntax: syntax) } catch {
                return destinationFailed("\(ProxyError.destination(destination.description, detail: error.description))")
            }
            guard scu.canSend(sopClass: sopClass, transferSyntax: syntax) else {
                return objectFailed(entry, reason: "the destination accepts neither \(sopClass) in \(syntax) nor an uncompressed equivalent")
            }
        }
        let isRetry = retries[entry.sequence] != nil || destinationFailures > 0
        let outcome = scu.store(prepared)
        lastSend = Date()
        switch outcome {
        case .status(let status) where status.isSuccessOrWarning:
            delivered(entry, changes: changes, isRetry: isRetry)
        case .status(let status):
            objectFailed(entry, reason: "refused with status \(status.hex)")
        case .unsupported(let reason):
            objectFailed(entry, reason: reason)
        case .failed(let reason):
            objectFailed(entry, reason: reason)
            destinationFailed(reason, countsAsAttempt: false)
        }
    }

    /// Applies the series decision's edits; an object that cannot be edited
    /// goes out unchanged (lose nothing), the error audited.
    private func prepare(_ object: DicomObject, entry: SpoolEntry, path: String) -> (DicomObject, [PlannedChange]) {
        do {
            let (record, isNew) = try context.decisions.record(series: entry.seriesInstanceUID, firstInstance: path)
            let header = object.header
            if isNew { auditDecision(record, header: header) }
            let plan = context.enricher.plan(record.decision, dataset: header.dataset, dateTime: record.dateTime)
            guard !plan.isEmpty else { return (object, []) }
            try object.apply(plan.edits)
            return (object, plan.changes)
        } catch {
            logger.warning("cannot edit; forwarding it unchanged", metadata: ["object": "\(entry.fileName)", "error": "\(error)"])
            context.audit.enqueue(errors: [rows.error(path: "spool:" + entry.fileName, kind: "edit", message: "\(error); forwarded unchanged")])
            return ((try? DicomObject(path: path)) ?? object, [])
        }
    }

    private func delivered(_ entry: SpoolEntry, changes: [PlannedChange], isRetry: Bool) {
        let latency = Date().timeIntervalSince(entry.arrival)
        context.metrics.delivered(destination, after: .milliseconds(Int64(max(0, latency) * 1000)), retry: isRetry)
        countRouted(entry)
        destinationFailures = 0
        let source = "spool:\(destination.folderName)/\(entry.fileName)"
        let changeRows = rows.changes(changes, seriesInstanceUID: entry.seriesInstanceUID, sopInstanceUID: entry.sopInstanceUID,
                                      source: source, output: destination.description)
        let progress = rows.progress(source: source, output: destination.description, outcome: changes.isEmpty ? .unchanged : .written,
                                     seriesInstanceUID: entry.seriesInstanceUID)
        condition.lock()
        queue.removeAll { $0.sequence == entry.sequence }
        retries[entry.sequence] = nil
        condition.unlock()
        // The spool copy goes once the audit holds the delivery (see AuditWriter).
        context.audit.enqueue(changes: changeRows, progress: [progress]) { [self] in
            context.spool.remove(entry, for: destination)
            condition.lock()
            known.remove(entry.sequence)
            condition.unlock()
        }
    }

    /// The destination refused this object or the send broke: try again later, or quarantine.
    private func objectFailed(_ entry: SpoolEntry, reason: String) {
        context.metrics.sendFailed(destination)
        let attempts = (retries[entry.sequence]?.attempts ?? 0) + 1
        let schedule = context.configuration.retry
        if attempts >= schedule.maximumAttempts {
            return quarantine(entry, reason: "\(reason) (after \(attempts) attempts)", attempts: attempts)
        }
        let delay = schedule.delay(afterAttempt: attempts)
        logger.warning("send failed; will retry", metadata: [
            "object": "\(entry.fileName)", "attempt": "\(attempts)/\(schedule.maximumAttempts)",
            "retry_in_s": "\(delay)", "reason": "\(reason)",
        ])
        condition.lock()
        retries[entry.sequence] = (attempts, Date().addingTimeInterval(delay))
        condition.unlock()
    }

    /// The destination cannot be reached: hold the queue, back off.
    func destinationFailed(_ reason: String, countsAsAttempt: Bool = true) {
        if countsAsAttempt { context.metrics.sendFailed(destination) }
        destinationFailures += 1
        let delay = context.configuration.retry.delay(afterAttempt: destinationFailures)
        logger.warning("destination unavailable; queue held", metadata: [
            "failures": "\(destinationFailures)", "retry_in_s": "\(delay)", "reason": "\(reason)",
        ])
        condition.lock()
        blockedUntil = Date().addingTimeInterval(delay)
        condition.unlock()
    }

    func quarantine(_ entry: SpoolEntry, reason: String, attempts: Int = 0) {
        do {
            try context.spool.quarantine(entry, for: destination, reason: reason, attempts: attempts)
        } catch {
            logger.error("cannot quarantine; left in the queue", metadata: ["object": "\(entry.fileName)", "error": "\(error)"])
            condition.lock()
            retries[entry.sequence] = (attempts, Date().addingTimeInterval(context.configuration.retry.maximumDelay))
            condition.unlock()
            return
        }
        context.metrics.quarantined(destination)
        logger.error("quarantined", metadata: ["object": "\(entry.fileName)", "reason": "\(reason)"])
        let source = "spool:\(destination.folderName)/\(entry.fileName)"
        context.audit.enqueue(
            errors: [rows.error(path: source, kind: "quarantined", message: "\(destination): \(reason)")],
            progress: [rows.progress(source: source, output: nil, outcome: .failed, seriesInstanceUID: entry.seriesInstanceUID)])
        forget(entry)
    }

    private func forget(_ entry: SpoolEntry) {
        condition.lock()
        queue.removeAll { $0.sequence == entry.sequence }
        retries[entry.sequence] = nil
        known.remove(entry.sequence)
        condition.unlock()
    }

    /// The decision row of a series, built as `clean` builds it (AuditRows):
    /// from its first instance, so `files` is 1.
    func auditDecision(_ record: SeriesRecord, header: DicomHeader) {
        let decision = record.decision
        context.metrics.decided(decision.kind)
        context.audit.enqueue(decisions: [rows.decision(
            decision, studyInstanceUID: header.dataset.string(.studyInstanceUID) ?? "",
            seriesInstanceUID: header.dataset.string(.seriesInstanceUID) ?? "", modality: header.dataset.string(.modality),
            files: 1, patientID: header.dataset.string(.patientID), accessionNumber: header.dataset.string(.accessionNumber))])
    }

    /// The run's audit rows (the builder `clean` uses too).
    private var rows: AuditRows { AuditRows(runID: context.audit.runID) }
}
