import Audit
import DicomCore
import DicomIO
import DicomNet
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The SCP's handler: checks that a received dataset is readable, makes it
/// durable in the spool, and only then answers Success; any failure to store
/// answers Out of Resources, an unreadable dataset Cannot
/// Understand (`DIMSEStatus`). Also logs one line per association.
final class Receiver: Sendable {
    private let spool: Spool
    private let forwarders: [Forwarder]
    private let audit: AuditWriter
    private let metrics: ProxyMetrics
    private let logger: Logger
    /// Keeps objects for the pixel check after forwarding (PixelWorker).
    private let pixel: PixelWorker?
    /// SOP Instance UIDs seen (newest 200,000), to note re-sent objects.
    private let seen = Mutex<(set: Set<String>, order: [String])>((Set(), []))
    private let tally = Mutex<[String: Int]>([:])

    init(spool: Spool, forwarders: [Forwarder], audit: AuditWriter, metrics: ProxyMetrics, logger: Logger,
         pixel: PixelWorker? = nil) {
        self.spool = spool
        self.forwarders = forwarders
        self.audit = audit
        self.metrics = metrics
        self.logger = logger
        self.pixel = pixel
        rememberEarlierObjects()
    }

    /// After a restart, the objects already received count as seen: those
    /// still spooled and the newest delivered ones in the audit (their
    /// spool names hold the SOP Instance UID), earlier runs of this spool included.
    private func rememberEarlierObjects() {
        var names: [String] = []
        for destination in spool.destinations {
            names += (try? FileManager.default.contentsOfDirectory(atPath: spool.queue(destination))) ?? []
            let prefix = "spool:\(destination.folderName)/"
            let delivered = (try? audit.store.recentSourcePaths(jobKey: spool.jobKey, prefix: prefix, limit: 100_000)) ?? []
            names += delivered.map { String($0.dropFirst(prefix.count)) }
        }
        for name in names {
            if let entry = SpoolEntry(fileName: name, arrival: Date()) { _ = remember(entry.sopInstanceUID) }
        }
    }

    /// Counts for the audit run's end.
    var counts: [String: Int] { tally.withLock { $0 } }

    /// The elements read at receipt: the spool's UIDs, the pixel check's modality.
    static let needed: @Sendable (Tag) -> Bool = { $0 == .sopInstanceUID || $0 == .seriesInstanceUID || $0 == .modality }

    /// True while the newest C-STORE answer was Out of Resources (for `/healthz`).
    var refusing: Bool { lastRefused.load(ordering: .relaxed) }
    private let lastRefused = Atomic<Bool>(false)

    func handle(_ request: StorageSCP.Request) -> DIMSEStatus {
        // The structure first, before any parse (a deep or truncated dataset must not reach DCMTK's parser).
        if let problem = DatasetScan.problem(in: request.path) {
            return refuse(request, status: problem.status, message: "C-STORE refused: dataset \(problem.kind)",
                          reason: problem.description)
        }
        let header: DicomHeader
        // Only what the spool and the pixel keep need (the forwarder reads the rest).
        do { header = try HeaderReader().read(request.path, include: Receiver.needed) } catch {
            return refuse(request, status: .cannotUnderstand, message: "C-STORE refused: unreadable dataset", reason: "unreadable: \(error)")
        }
        let sop = header.dataset.string(.sopInstanceUID) ?? ""
        guard sop == request.sopInstanceUID else {
            return refuse(request, status: .cannotUnderstand, message: "C-STORE refused: SOP Instance UID of the dataset differs from the command's",
                          reason: "the dataset's SOP Instance UID \(sop) differs from the command's")
        }
        // Pixel check hook: a hard link made before the object is queued (no delivery can remove it first).
        let kept = pixel?.keep(receivedFile: request.path, header: header)
        let entry: SpoolEntry
        do {
            entry = try spool.accept(receivedFile: request.path, seriesInstanceUID: header.dataset.string(.seriesInstanceUID) ?? "",
                                     sopInstanceUID: sop)
        } catch {
            unlink(request.path)
            if let kept { unlink(kept) }
            count("out-of-resources")
            metrics.storeFailures.increment()
            lastRefused.store(true, ordering: .relaxed)
            logger.error("C-STORE refused: cannot store in the spool (answered Out of Resources)",
                         metadata: peer(request, ["error": "\(error)"]))
            return .outOfResources
        }
        lastRefused.store(false, ordering: .relaxed)
        count("received")
        metrics.received.increment()
        if !remember(sop) {
            count("resent")
            metrics.duplicates.increment()
            logger.notice("re-sent object: same decision, forwarded again", metadata: peer(request, ["object": "\(entry.fileName)"]))
            audit.enqueue(errors: [ErrorRecord(runID: audit.runID, path: "spool:" + entry.fileName, kind: "resent",
                                               message: "SOP Instance \(sop) arrived again from \(request.callingAE); forwarded again")])
        }
        for forwarder in forwarders where forwarder.takes(entry) { forwarder.enqueue(entry) }
        return .success
    }

    /// Answers a failure status for a dataset that cannot be used; its bytes go to SPOOL/refused.
    private func refuse(_ request: StorageSCP.Request, status: DIMSEStatus, message: Logger.Message, reason: String) -> DIMSEStatus {
        let code = status.hex
        let kept = spool.keepRefused(receivedFile: request.path, note: RefusedNote(
            reason: reason, status: code, callingAE: request.callingAE, peer: request.peerHost,
            sopInstanceUID: request.sopInstanceUID, refusedAt: Date()))
        count("rejected")
        metrics.rejectedStores.increment()
        logger.warning(message, metadata: peer(request, ["reason": "\(reason)", "status": "\(code)",
                                                          "kept": "\(kept.map { "refused/" + $0 } ?? "no")"]))
        return status
    }

    func event(_ event: StorageSCP.Event, _ id: UInt64, _ calling: String, _ peer: String, _ detail: String) {
        let metadata: Logger.Metadata = ["association": "\(id)", "calling_ae": "\(calling)", "peer": "\(peer)", "detail": "\(detail)"]
        switch event {
        case .accepted:
            metrics.associationsAccepted.increment()
        case .rejected:
            metrics.associationsRejected.increment()
            logger.warning("association rejected", metadata: metadata)
            // Who was turned away, from where, and why: in the audit beside the objects received.
            audit.enqueue(errors: [ErrorRecord(runID: audit.runID, path: "association:\(peer)", kind: "association-rejected",
                                               message: "calling AE '\(calling)' from \(peer): \(detail)")])
        case .released:
            logger.info("association released", metadata: metadata)
        case .aborted:
            logger.warning("association aborted by the peer", metadata: metadata)
        case .failed:
            logger.warning("association failed", metadata: metadata)
        case .storeRefused:
            // One object refused before it reached `handle` (spool full): the association goes on.
            count("out-of-resources")
            metrics.storeFailures.increment()
            lastRefused.store(true, ordering: .relaxed)
            logger.error("C-STORE refused: answered Out of Resources", metadata: metadata)
        case .connectionClosed:
            logger.notice("connection closed before an association", metadata: ["peer": "\(peer)", "detail": "\(detail)"])
        }
    }

    private func remember(_ sop: String) -> Bool {
        seen.withLock { state in
            guard state.set.insert(sop).inserted else { return false }
            state.order.append(sop)
            if state.order.count > 200_000 {
                for old in state.order.prefix(100_000) { state.set.remove(old) }
                state.order.removeFirst(100_000)
            }
            return true
        }
    }

    private func count(_ key: String) { tally.withLock { $0[key, default: 0] += 1 } }

    private func peer(_ request: StorageSCP.Request, _ extra: Logger.Metadata) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["calling_ae": "\(request.callingAE)", "peer": "\(request.peerHost)",
                                         "sop_instance": "\(request.sopInstanceUID)"]
        metadata.merge(extra) { a, _ in a }
        return metadata
    }
}
