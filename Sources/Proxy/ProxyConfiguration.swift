import DicomNet
import Foundation

/// When a failed object is tried again, and when the proxy gives up on it.
public struct RetrySchedule: Sendable, Hashable {
    /// Seconds before the first retry; each further retry waits twice as long.
    public var initialDelay: Double = 2
    /// The longest wait between two tries, in seconds.
    public var maximumDelay: Double = 300
    /// Tries of one object (the receiver refused it or the send broke) before quarantine.
    public var maximumAttempts = 10
    /// Seconds an object may wait in the spool (receiver down included) before quarantine.
    public var maximumAge: Double = 7 * 86400

    public init() {}

    /// The wait after the `attempt`-th failed try (1-based), capped.
    public func delay(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        return min(initialDelay * pow(2, exponent), maximumDelay)
    }
}

/// Everything `bodypart proxy` needs, from `--config` YAML and flags (flags win).
public struct ProxyConfiguration: Sendable, Hashable {
    /// TCP port of the storage SCP.
    public var port: UInt16 = 11112
    /// Our AE title (used as calling AE title when forwarding).
    public var aeTitle = "BODYPART"
    /// Address the DICOM listener binds (IPv4 or IPv6 literal): `0.0.0.0`
    /// (the default) every IPv4 interface, `::` every interface, `127.0.0.1`
    /// loopback only. bodypart opens the listening socket itself
    /// (net_scp.cpp), so DCMTK's bind-to-all does not apply.
    public var listenAddress = "0.0.0.0"
    /// Where every accepted object goes (each gets its own queue).
    public var destinations: [Destination] = []
    /// Routes by anatomy and header (`routes:`); nil: every object goes to every destination.
    public var routes: RouteTable?
    /// The file `routes` came from (error messages).
    public var routesFile: String?
    /// Archives priors are fetched from (`archives:`; C-FIND/C-MOVE SCPs, not forwarded to).
    public var archives: [Destination] = []
    /// The spool folder (queues, quarantine, series decisions).
    public var spool = "bodypart-spool"
    /// The audit database.
    public var audit = "bodypart-audit.sqlite"
    /// Who may associate: calling AE titles, address ranges, or both per
    /// entry (`allow:`); empty accepts every caller (with a warning at start).
    public var allowed: [CallerRule] = []
    /// Port of the HTTP console (`/metrics`, `/healthz`, the pages; YAML
    /// `console.port` or its alias `metrics_port`); nil for none.
    public var metricsPort: UInt16?
    /// Address and credentials of the HTTP console (`console:`).
    public var console = ConsoleSettings()
    /// Policy file (default: the rules folder's policy.yaml).
    public var policyFile: String?
    /// Model file (default: the shipped model).
    public var modelFile: String?
    /// Rules folder (default: found next to the binary or above the current folder).
    public var rulesFolder: String?
    /// Associations served at the same time; more are rejected (local limit exceeded).
    public var maxAssociations = 8
    /// Associations each destination is sent over at the same time. A series
    /// always goes over the same one (in arrival order), so order within a
    /// series holds; different series travel in parallel. 1 by default: a
    /// receiver that serves one association at a time (a single-process
    /// storescp, some PACS per calling AE) would make parallel lanes wait for
    /// each other.
    public var forwardAssociations = 1
    /// Maximum PDU length we receive, in bytes.
    public var maxPDU = 116_794
    /// Seconds for association negotiation and TCP connect.
    public var acseTimeout = 30
    /// Seconds a peer may stay silent inside an association (and we wait for a response).
    public var dimseTimeout = 60
    /// Seconds a graceful stop waits for associations in progress.
    public var stopTimeout = 30
    /// Seconds an idle forwarding association stays open.
    public var idleRelease = 5.0
    /// The DICOM TLS port beside the plain one (`tls:`); nil: plain only.
    public var tls: ProxyTLS?
    /// Retry and quarantine schedule.
    public var retry = RetrySchedule()
    /// The pixel cross-check after forwarding (`pixel:`; PixelSettings).
    public var pixel = PixelSettings()

    public init() {}

    /// Checks values that flags and YAML cannot express as types.
    public func validate() throws(ProxyError) {
        if destinations.isEmpty { throw .configuration("give at least one --destination AE@host:port") }
        if aeTitle.isEmpty || aeTitle.count > 16 { throw .configuration("--ae-title must be 1 to 16 characters") }
        if listenAddress.contains("/") || AddressRange(parsing: listenAddress) == nil {
            throw .configuration("listen_address \(listenAddress) is not an IPv4 or IPv6 address (0.0.0.0 for every IPv4 interface, :: for all)")
        }
        if maxAssociations < 1 || maxAssociations > 512 { throw .configuration("max_associations must be 1...512") }
        if forwardAssociations < 1 || forwardAssociations > 16 { throw .configuration("forward_associations must be 1...16") }
        if maxPDU < 4096 || maxPDU > 131_072 { throw .configuration("max_pdu must be 4096...131072") }
        if retry.maximumAttempts < 1 { throw .configuration("retry.max_attempts must be at least 1") }
        if retry.initialDelay <= 0 || retry.maximumDelay < retry.initialDelay {
            throw .configuration("retry delays must be positive, max_delay ≥ initial_delay")
        }
        for ae in allowed.compactMap(\.aeTitle) where ae.isEmpty || ae.count > 16 {
            throw .configuration("allowed AE title '\(ae)' must be 1 to 16 characters")
        }
        if let metricsPort, metricsPort == port { throw .configuration("console.port (metrics_port) must differ from port") }
        if let tls, tls.port == port || tls.port == metricsPort { throw .configuration("tls.port must differ from port and console.port") }
        // TLS files are read at start (listener) or at the first send (destination): name a missing one now.
        let tlsFiles = [tls?.settings.certificate, tls?.settings.privateKey].compactMap { $0 } + (tls?.settings.trustedCAs ?? [])
            + destinations.flatMap { $0.tls?.trustedCAs ?? [] }
        for file in tlsFiles where !FileManager.default.fileExists(atPath: file) {
            throw .configuration("TLS file or folder \(file) does not exist")
        }
        try console.validate()
        try routes?.validate(destinations: destinations, archives: archives, file: routesFile ?? "routes")
        try pixel.validate()
    }
}

extension ProxyConfiguration {
    /// How the forwarders and `--check` open associations (our AE title, PDU, timeouts).
    var associationSettings: AssociationSettings {
        AssociationSettings(aeTitle: aeTitle, maxPDU: maxPDU, acseTimeout: acseTimeout, dimseTimeout: dimseTimeout)
    }

    /// How we open associations to `destination`: over TLS when it asks for it, presenting the
    /// `tls:` section's certificate (if any) and verifying the receiver against its CAs.
    func associationSettings(for destination: Destination) -> AssociationSettings {
        var settings = associationSettings
        if var client = destination.tls {
            if client.certificate == nil, let own = tls?.settings {
                client.certificate = own.certificate
                client.privateKey = own.privateKey
            }
            client.verifyPeer = true
            settings.tls = client
        }
        return settings
    }
}
