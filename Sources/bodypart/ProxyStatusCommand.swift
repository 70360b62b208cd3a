import ArgumentParser
import Audit
import Foundation
import Proxy

/// `bodypart proxy status`: what waits in the spool and what is quarantined.
struct ProxyStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List what waits in the spool and what is quarantined, per destination, and the series waiting for a pixel check.",
        discussion: "Reads the spool only; works while the proxy runs. One line per destination, then one per quarantined object with its reason; then one line for the pixel check (series kept, objects) and one per series waiting for it. With --config holding routes: one line per route and destination (series routed, from the audit), and one for the priors (found, matched, moved, failed; fetches waiting and retrying, with the last failure, and those given up after priors.max_attempts)."
    )

    @OptionGroup var options: ProxySpoolOptions

    @Option(help: "Audit database for the routing lines (default: the configuration's).")
    var audit: String?

    func run() throws {
        let spool = try ProxyStatusCommand.open(options)
        let now = Date()
        for destination in spool.destinations {
            let waiting = spool.pending(for: destination)
            let quarantined = spool.quarantined(for: destination)
            let oldest = waiting.map(\.arrival).min().map { String(format: "%.0f s", now.timeIntervalSince($0)) } ?? "-"
            Console.out("\(destination)\twaiting \(waiting.count)\toldest \(oldest)\tquarantined \(quarantined.count)")
            for (entry, note) in quarantined {
                Console.out("  quarantined\t\(entry.fileName)\t\(note?.reason ?? "(no note)")")
            }
        }
        // Series kept for the pixel check after forwarding (docs/proxy.md).
        let pixel = PixelArchive(spoolRoot: spool.root).pending()
        Console.out("pixel check\tpending \(pixel.count) series\tobjects \(pixel.reduce(0) { $0 + $1.objects })")
        for series in pixel {
            let age = String(format: "%.0f s", now.timeIntervalSince(series.lastArrival))
            let skipped = series.skipped.map { "\tnot checked: \($0.reason)" } ?? ""
            Console.out("  pending\t\(series.folder)\t\(series.objects) objects\tlast arrival \(age) ago\(skipped)")
        }
        try ProxyStatusCommand.routing(options, audit: audit, spoolRoot: spool.root)
        Console.flush()
    }

    /// Series routed per rule and destination and the priors (found, matched, moved, failed) from the
    /// configuration's audit, and the prior fetches waiting in the spool. Nothing without `routes:`.
    static func routing(_ options: ProxySpoolOptions, audit: String?, spoolRoot: String) throws {
        guard let path = options.config, let configuration = try? ProxyConfiguration.load(yamlFile: path), configuration.routes != nil
        else { return }
        let auditPath = audit ?? configuration.audit
        var counts = (found: 0, matched: 0, moved: 0, failed: 0)
        var abandoned = 0
        if FileManager.default.fileExists(atPath: auditPath) {
            let store = try AuditStore(path: auditPath, readOnly: true)
            for (rule, destination, series) in try store.routedSeries() {
                Console.out("route \(rule)\t\(destination)\tseries \(series)")
            }
            counts = try store.priorCounts()
            abandoned = try store.priorsAbandoned()
        }
        let backlog = PriorBacklog(spoolRoot: spoolRoot)
        var line = "priors\tfound \(counts.found)\tmatched \(counts.matched)\tmoved \(counts.moved)\tfailed \(counts.failed)"
        line += "\twaiting \(backlog.waiting)\tretrying \(backlog.retrying)\tgave up \(abandoned)"
        Console.out(line)
        if let error = backlog.lastError {
            let next = backlog.nextRetry.map { String(format: "%.0f s", max(0, $0.timeIntervalSinceNow)) } ?? "-"
            Console.out("  last prior failure\t\(error)\tnext retry in \(next)")
        }
    }

    /// The spool of a configuration or folder, with its destinations (those
    /// named, else every destination folder found in the spool).
    static func open(_ options: ProxySpoolOptions) throws -> Spool {
        do {
            var configuration = try options.config.map { path throws(ProxyError) in try ProxyConfiguration.load(yamlFile: path) }
                ?? ProxyConfiguration()
            if let spool = options.spool { configuration.spool = spool }
            var destinations = configuration.destinations
            if !options.destinations.isEmpty {
                destinations = []
                for text in options.destinations { destinations.append(try Destination(parsing: text)) }
            }
            guard FileManager.default.fileExists(atPath: configuration.spool + "/queue") else {
                Console.error("\(configuration.spool): no spool here (give --spool or --config)")
                throw ExitStatus.noInput
            }
            if destinations.isEmpty { destinations = Spool.destinationsFound(in: configuration.spool) }
            return try Spool(root: configuration.spool, destinations: destinations, cleanIncoming: false)
        } catch let error as ProxyError {
            Console.error(error.description)
            throw ExitStatus.usage
        }
    }
}
