import Audit
import Cleanup
import DicomIO
import DicomNet
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `bodypart proxy`: a storage SCP between modalities and PACS. Store →
/// fsync → Success; then, per destination, edit → forward → remove.
///
/// The spool holds each object as the sender sent it (the original); edits
/// are made on the way out from the series decision persisted in the spool,
/// so every instance of a series, and every re-delivery, gets the same
/// edits. Storing the original keeps the Success path short and means an
/// object whose editing fails is still delivered (unchanged, audited).
public final class ProxyService: @unchecked Sendable {
    public let configuration: ProxyConfiguration
    public let metrics: ProxyMetrics
    let enricher: Enricher
    let logger: Logger
    let spool: Spool
    let store: AuditStore
    let audit: AuditWriter
    let forwarders: [Forwarder]
    let receiver: Receiver
    let pixel: PixelWorker
    /// Routes by anatomy (nil without `routes:`) and the prior fetcher (nil unless a route has `priors:`).
    let router: SeriesRouter?
    let priors: PriorFetcher?
    private var scp: StorageSCP?
    private var console: ConsoleServer?
    /// Associations open now (the console's overview).
    let tally = ConsoleTally()

    /// Opens the spool and the audit (a restart continues the same audit run).
    /// `priorQuerier` queries and moves priors for routes with `priors:` (default: DicomNet's C-FIND/C-MOVE SCU).
    public init(configuration: ProxyConfiguration, enricher: Enricher, commandLine: String, logger: Logger,
                priorQuerier: (any PriorQuerying)? = nil) throws {
        try configuration.validate()
        try configuration.routes?.validate(taxonomy: enricher.taxonomy, file: configuration.routesFile ?? "routes")
        self.configuration = configuration
        self.enricher = enricher
        self.logger = logger
        spool = try Spool(root: configuration.spool, destinations: configuration.destinations)
        store = try AuditStore(path: configuration.audit)
        let jobKey = spool.jobKey
        let runID: Int64
        if let previous = try store.resumableRun(jobKey: jobKey), let id = previous.id {
            try store.markRunning(id: id)
            runID = id
        } else {
            runID = try store.startRun(RunRecord(
                jobKey: jobKey, command: commandLine, mode: .proxy, policyHash: enricher.policy.hash,
                modelID: enricher.model.modelID, host: ProcessInfo.processInfo.hostName))
        }
        metrics = ProxyMetrics(destinations: configuration.destinations, routes: configuration.routes)
        audit = AuditWriter(store: store, runID: runID, logger: logger)
        let router = configuration.routes.map {
            SeriesRouter(table: $0, taxonomy: enricher.taxonomy, destinations: configuration.destinations)
        }
        self.router = router
        if let router, router.table.rules.contains(where: { $0.priors != nil }) {
            let querier = priorQuerier ?? ArchiveQuerier(settings: AssociationSettings(
                aeTitle: configuration.aeTitle, maxPDU: configuration.maxPDU, acseTimeout: configuration.acseTimeout,
                dimseTimeout: configuration.dimseTimeout))
            priors = try PriorFetcher(querier: querier, router: router, enricher: enricher, store: store, audit: audit,
                                      metrics: metrics.routing, retry: configuration.retry, archives: configuration.archives,
                                      spoolRoot: spool.root, logger: logger)
        } else {
            priors = nil
        }
        let decisions = SeriesDecisions(spool: spool, enricher: enricher, router: router)
        var context = ForwardingContext(configuration: configuration, spool: spool,
                                        decisions: decisions, enricher: enricher,
                                        audit: audit, metrics: metrics, logger: logger)
        context.priors = priors
        let lanes = configuration.forwardAssociations
        forwarders = configuration.destinations.flatMap { destination in
            (0..<lanes).map { Forwarder(destination: destination, lane: $0, of: lanes, context: context) }
        }
        pixel = PixelWorker(spool: spool, decisions: decisions, enricher: enricher, settings: configuration.pixel, audit: audit,
                            metrics: metrics, logger: logger)
        receiver = Receiver(spool: spool, forwarders: forwarders, audit: audit, metrics: metrics, logger: logger, pixel: pixel)
    }

    /// Resumes the spool, starts forwarding, listening and the HTTP console.
    public func start() throws {
        audit.start()
        if configuration.allowed.isEmpty {
            logger.warning("no allow-list (--allow): every calling AE title is accepted")
        }
        for destination in configuration.destinations {
            let waiting = spool.pending(for: destination).count
            if waiting > 0 {
                logger.notice("resuming the spool", metadata: ["destination": "\(destination)", "waiting": "\(waiting)"])
                audit.enqueue(errors: [ErrorRecord(
                    runID: audit.runID, path: spool.queue(destination), kind: "resumed",
                    message: "\(waiting) object(s) waiting for \(destination) from before the start; any the destination "
                        + "confirmed just before a crash is delivered again (same content)")])
            }
        }
        for forwarder in forwarders { forwarder.start() }
        priors?.start()
        pixel.start()
        let scp = StorageSCP(
            onStore: { [receiver] request in receiver.handle(request) },
            onEvent: { [receiver, tally] event, id, calling, peer, detail in
                tally.event(event, id)
                receiver.event(event, id, calling, peer, detail)
            })
        do {
            try scp.start(StorageSCP.Settings(
                port: configuration.port, aeTitle: configuration.aeTitle, maxPDU: configuration.maxPDU,
                maxAssociations: configuration.maxAssociations, acseTimeout: configuration.acseTimeout,
                dimseTimeout: configuration.dimseTimeout, allowed: configuration.allowed,
                listenAddress: configuration.listenAddress, incomingFolder: spool.incoming,
                tls: configuration.tls.map { ($0.port, $0.settings) }))
        } catch {
            throw ProxyError(error)
        }
        self.scp = scp
        if let port = configuration.metricsPort {
            let server = ConsoleServer(address: configuration.console.listen, port: port, routes: ConsoleRoutes(service: self),
                                       logger: logger)
            try server.start()
            console = server
            if !configuration.console.pagesEnabled {
                logger.notice("console pages off (no console.token_sha256 or console.users); serving /metrics and /healthz only")
            }
        }
        logger.notice("listening", metadata: [
            "address": "\(configuration.listenAddress)", "port": "\(configuration.port)",
            "tls_port": "\(configuration.tls.map { "\($0.port)" } ?? "none")", "ae_title": "\(configuration.aeTitle)",
            "destinations": "\(configuration.destinations.map(\.description).joined(separator: ", "))",
            "spool": "\(spool.root)", "console": "\(configuration.metricsPort.map { "\(configuration.console.listen):\($0)" } ?? "none")",
        ])
    }

    /// Graceful stop: no new associations, those in progress finish (up to
    /// the stop timeout), the object being sent finishes, the audit is flushed.
    public func stop() {
        let left = scp?.stop(wait: configuration.stopTimeout) ?? 0
        if left > 0 {
            logger.warning("associations still open at stop; their unanswered objects will be sent again by the modality",
                           metadata: ["associations": "\(left)"])
        }
        scp = nil
        let committed = spool.stopCommitting()
        logger.notice("group commit", metadata: ["objects": "\(committed.objects)", "flushes": "\(committed.rounds)",
                                                 "flush_seconds": "\(String(format: "%.2f", committed.flushSeconds))"])
        for forwarder in forwarders { forwarder.stop() }
        priors?.stop()
        pixel.stop()
        console?.stop()
        console = nil
        audit.stop()
        let counts = receiver.counts
        do { try store.finishRun(id: audit.runID, status: .done, counts: counts) } catch {
            logger.error("cannot close the audit run", metadata: ["error": "\(error)"])
        }
        logger.notice("stopped", metadata: ["received": "\(counts["received"] ?? 0)"])
    }

    /// One C-ECHO to `destination` with our AE title (for `--check`).
    public static func echo(_ destination: Destination, configuration: ProxyConfiguration) throws(ProxyError) {
        var settings = configuration.associationSettings(for: destination)
        settings.maxPDU = 16384
        settings.dimseTimeout = configuration.acseTimeout
        do { try VerificationSCU.echo(destination.peer, settings: settings) } catch {
            throw .destination(destination.description, detail: error.description)
        }
    }

    /// Throws `.listen` when something already listens on `port` (for `--check`): binds it as
    /// the proxy would, then lets it go.
    public static func checkPortFree(_ port: UInt16) throws(ProxyError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .listen(port: port, detail: Spool.errnoText()) }
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        address.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(fd, 1) == 0 else { throw .listen(port: port, detail: "in use: \(Spool.errnoText())") }
    }

    /// `/metrics` and `/healthz`.
    func respond(_ path: String) -> ConsoleServer.Response {
        switch path {
        case "/metrics":
            for destination in configuration.destinations {
                let lanes = forwarders.filter { $0.destination == destination }.map(\.depth)
                metrics.queue(destination, depth: lanes.map(\.count).reduce(0, +), oldestAge: lanes.map(\.oldestAge).max() ?? 0)
            }
            metrics.pixelPending.set(Double(pixel.pendingSeries))
            return (200, "text/plain; version=0.0.4", metrics.exposition())
        case "/healthz":
            let writable = access(spool.incoming, W_OK) == 0
            let listening = scp != nil
            // What senders see: objects answered Out of Resources now (spool too full to receive).
            let refusing = (scp?.spoolLow ?? false) || receiver.refusing
            let healthy = writable && listening && !refusing
            let body = "listening: \(listening)\nspool writable: \(writable)\nrefusing objects (Out of Resources): \(refusing)\n"
            return (healthy ? 200 : 503, "text/plain", Array(((healthy ? "ok\n" : "unhealthy\n") + body).utf8))
        default:
            return (404, "text/plain", Array("try /metrics or /healthz\n".utf8))
        }
    }
}
