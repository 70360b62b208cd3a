import Anatomy
import Audit
import ArgumentParser
import Cleanup
import Dispatch
import Foundation
import Logging
import DicomNet
import Proxy

/// `bodypart proxy run` (the default): listen, spool, fix, forward.
struct ProxyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy (the default subcommand).",
        discussion: """
            Accepts C-ECHO and C-STORE (every storage SOP class and transfer syntax), answers Success only \
            once the object is fsynced in the spool, decides each series once (on its first instance, \
            persisted), edits every instance the same way and forwards it to each destination, retrying \
            with backoff and quarantining what never goes. SIGTERM stops gracefully. Flags override \
            --config. Exit status: 0 stopped normally or check passed; 64 wrong usage; 65 bad rules, \
            policy or configuration; 73 spool or audit cannot be created; 74 port or destination unavailable; \
            75 the spool is in use by another running proxy.
            """
    )

    @Option(help: "YAML configuration (keys as in Rules/proxy.yaml); flags override it.")
    var config: String?

    @Option(help: "TCP port to listen on (default 11112).")
    var port: UInt16?

    @Option(help: "Our AE title (default BODYPART).")
    var aeTitle: String?

    @Option(name: .customLong("destination"), help: "Where to forward: AE@host:port; repeatable.")
    var destinations: [String] = []

    @Option(help: "Spool folder (default bodypart-spool).")
    var spool: String?

    @Option(help: "Audit database (default bodypart-audit.sqlite).")
    var audit: String?

    @Option(name: .customLong("allow"), help: "Calling AE title to accept; repeatable. None: every caller (with a warning).")
    var allowed: [String] = []

    @Option(help: "Port of the HTTP console: /metrics, /healthz and, with console credentials in --config, the web pages (default: none; YAML console.port).")
    var metricsPort: UInt16?

    @Option(help: "Policy file (default: Rules/policy.yaml).")
    var policy: String?

    @Option(help: "Model file (default: the shipped model).")
    var model: String?

    @Option(help: "Rules folder (default: found next to the binary or above the current folder).")
    var rules: String?

    @Option(help: "Concurrent associations (default 8).")
    var maxAssociations: Int?

    @Option(help: "Associations per destination used to forward at the same time; a series always takes the same one (default 1; 2 to 4 where the PACS accepts parallel associations).")
    var forwardAssociations: Int?

    @Option(help: "Maximum PDU length received, bytes (default 116794).")
    var maxPdu: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default info).")
    var logLevel: String = "info"

    @Flag(help: "Validate the configuration, check that the port (and metrics port) are free and the spool is not in use, C-ECHO each destination, then exit.")
    var check = false

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level must be trace, debug, info, notice, warning or error") }
        do { _ = try resolved() } catch { throw ValidationError(error.description) }
    }

    /// The configuration from --config, then the flags.
    func resolved() throws(ProxyError) -> ProxyConfiguration {
        var c = try config.map { path throws(ProxyError) in try ProxyConfiguration.load(yamlFile: path) } ?? ProxyConfiguration()
        if let port { c.port = port }
        if let aeTitle { c.aeTitle = aeTitle }
        if !destinations.isEmpty {
            c.destinations = []
            for text in destinations { c.destinations.append(try Destination(parsing: text)) }
        }
        if let spool { c.spool = spool }
        if let audit { c.audit = audit }
        if !allowed.isEmpty { c.allowed = allowed.map { CallerRule(aeTitle: $0) } }
        if let metricsPort { c.metricsPort = metricsPort }
        if let policy { c.policyFile = policy }
        if let model { c.modelFile = model }
        if let rules { c.rulesFolder = rules }
        if let maxAssociations { c.maxAssociations = maxAssociations }
        if let maxPdu { c.maxPDU = maxPdu }
        if let forwardAssociations { c.forwardAssociations = forwardAssociations }
        try c.validate()
        return c
    }

    func run() throws {
        let configuration = try resolved()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "bodypart.proxy")
        try Setup.dicom(rules: configuration.rulesFolder)
        let enricher: Enricher
        do {
            enricher = try Enricher.load(rules: RulesDirectory.locate(explicit: configuration.rulesFolder),
                                         policyFile: configuration.policyFile, modelFile: configuration.modelFile)
            try configuration.routes?.validate(taxonomy: enricher.taxonomy, file: configuration.routesFile ?? "routes")
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
        if check { return try runCheck(configuration) }
        let service: ProxyService
        do {
            service = try ProxyService(configuration: configuration, enricher: enricher,
                                       commandLine: (["bodypart"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                                       logger: logger)
        } catch let error as ProxyError {
            Console.error("\(error)")
            if case .spoolInUse = error { throw ExitStatus.busy }
            throw ExitStatus.cannotCreate
        } catch {
            Console.error("\(error)")
            throw ExitStatus.cannotCreate
        }
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        do { try service.start() } catch {
            Console.error("\(error)")
            service.stop()
            throw ExitStatus.ioError
        }
        stop.wait()
        logger.notice("stopping: no new associations; finishing those in progress")
        service.stop()
        sources.forEach { $0.cancel() }
        // The service's store may outlive this function (it exits the process):
        // fold the write-ahead log into the .sqlite file now, then publish the head.
        (try? AuditStore(path: configuration.audit))?.checkpoint()
        AuditHead.publish(path: configuration.audit)
    }

    /// `--check`: the configuration is valid (it was resolved), the ports are free, no proxy runs
    /// on the spool, and each destination answers C-ECHO. Exit 74 when a port or destination
    /// fails, else 75 when the spool is in use.
    private func runCheck(_ configuration: ProxyConfiguration) throws {
        Console.out("configuration: ok (port \(configuration.port), AE \(configuration.aeTitle), spool \(configuration.spool))")
        var failures = 0
        for (name, port) in [("port", Optional(configuration.port)), ("metrics port", configuration.metricsPort)] {
            guard let port else { continue }
            do {
                try ProxyService.checkPortFree(port)
                Console.out("\(name) \(port): free")
            } catch {
                failures += 1
                Console.out("\(name) \(port): FAILED: \(error)")
            }
        }
        for line in configuration.routes?.summary ?? ["routes: none (every object goes to every destination)"] {
            Console.out(line)
        }
        for archive in configuration.archives {
            do {
                try ProxyService.echo(archive, configuration: configuration)
                Console.out("archive \(archive): C-ECHO ok")
            } catch {
                failures += 1
                Console.out("archive \(archive): C-ECHO FAILED: \(error)")
            }
        }
        let busy = Spool.inUse(root: configuration.spool)
        Console.out(busy.map { "spool: IN USE by another bodypart proxy (\($0))" } ?? "spool: not in use")
        for destination in configuration.destinations {
            do {
                try ProxyService.echo(destination, configuration: configuration)
                Console.out("\(destination): C-ECHO ok")
            } catch {
                failures += 1
                Console.out("\(destination): C-ECHO FAILED: \(error)")
            }
        }
        Console.flush()
        if failures > 0 { throw ExitStatus.ioError }
        if busy != nil { throw ExitStatus.busy }
    }
}
