import CDcmtk
import DicomCore
import Foundation

/// The DICOM listening side, wrapping the shim's SCP pool: Verification and
/// C-STORE of every storage SOP class in every transfer syntax DCMTK knows.
/// Each received dataset lands complete in a file of `incoming`; `onStore`
/// decides the status sent back (it runs on the association's thread).
public final class StorageSCP: @unchecked Sendable {
    /// A received C-STORE request, its dataset in `path`.
    public struct Request: Sendable {
        public let associationID: UInt64
        public let callingAE: String
        public let peerHost: String
        public let sopClassUID: String
        public let sopInstanceUID: String
        public let transferSyntaxUID: String
        public let path: String
    }

    /// What happened to an association.
    public enum Event: Int32, Sendable {
        case accepted = 1, rejected, released, aborted, failed
        /// One C-STORE answered Out of Resources before the store handler saw it; the association goes on.
        case storeRefused
        /// A TCP connection closed before it became an association (silent, too many waiting, not DICOM).
        case connectionClosed
    }

    /// Settings of the listening side.
    public struct Settings: Sendable {
        public var port: UInt16
        public var aeTitle: String
        public var maxPDU: Int
        /// Concurrent associations; more are rejected (local limit exceeded).
        public var maxAssociations: Int
        public var acseTimeout: Int
        public var dimseTimeout: Int
        /// Who may associate (AE title, address range, or both); empty: every caller.
        public var allowed: [CallerRule]
        /// The IPv4 or IPv6 address to bind; "0.0.0.0": every IPv4 interface, "::" every interface.
        public var listenAddress: String
        /// Where datasets are received (temporary names; `onStore` moves or removes each).
        public var incomingFolder: String
        /// A second port on the same address speaking DICOM over TLS, with its settings
        /// (certificate and key required); nil: plain port only.
        public var tls: (port: UInt16, settings: TLSSettings)?

        public init(
            port: UInt16, aeTitle: String, maxPDU: Int = 65536, maxAssociations: Int = 8, acseTimeout: Int = 30,
            dimseTimeout: Int = 60, allowed: [CallerRule] = [], listenAddress: String = "0.0.0.0",
            incomingFolder: String, tls: (port: UInt16, settings: TLSSettings)? = nil
        ) {
            self.tls = tls
            self.port = port
            self.aeTitle = aeTitle
            self.maxPDU = maxPDU
            self.maxAssociations = maxAssociations
            self.acseTimeout = acseTimeout
            self.dimseTimeout = dimseTimeout
            self.allowed = allowed
            self.listenAddress = listenAddress
            self.incomingFolder = incomingFolder
        }
    }

    /// An association event: kind, association id, calling AE, peer address, detail.
    public typealias EventHandler = @Sendable (Event, UInt64, String, String, String) -> Void

    private let onStore: @Sendable (Request) -> DIMSEStatus
    private let onEvent: EventHandler
    private var handle: OpaquePointer?

    /// `onStore` decides the status of each received object (it owns the file from then on);
    /// `onEvent` hears every association event. Both run on association threads.
    public init(onStore: @escaping @Sendable (Request) -> DIMSEStatus, onEvent: @escaping EventHandler) {
        self.onStore = onStore
        self.onEvent = onEvent
    }

    /// Binds the port and starts accepting associations.
    public func start(_ settings: Settings) throws(DicomNetError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let titles = settings.allowed.map { $0.aeTitle.map { strdup($0) } ?? nil }
        defer { titles.forEach { free($0) } }
        let rules = zip(settings.allowed, titles).map { rule, title in
            var c = bp_allow_rule()
            c.ae_title = UnsafePointer(title)
            if let range = rule.from {
                c.family = range.family
                c.prefix = UInt8(range.prefixLength)
                withUnsafeMutableBytes(of: &c.address) { target in
                    for (i, byte) in range.bytes.enumerated() { target[i] = byte }
                }
            }
            return c
        }
        var status: Int32 = 0
        let started: OpaquePointer? = settings.aeTitle.withCString { ae in
            settings.incomingFolder.withCString { folder in
                settings.listenAddress.withCString { address in
                    rules.withUnsafeBufferPointer { list in
                        var config = bp_scp_config()
                        config.port = settings.port
                        config.ae_title = ae
                        config.max_pdu = UInt32(settings.maxPDU)
                        config.max_associations = UInt16(settings.maxAssociations)
                        config.acse_timeout = UInt32(settings.acseTimeout)
                        config.dimse_timeout = UInt32(settings.dimseTimeout)
                        config.listen_address = address
                        config.allow_rules = list.baseAddress
                        config.allow_count = list.count
                        config.incoming_folder = folder
                        config.context = context
                        config.on_store = { context, request in
                            guard let context, let request else { return DIMSEStatus.outOfResources.rawValue }
                            let scp = Unmanaged<StorageSCP>.fromOpaque(context).takeUnretainedValue()
                            let r = request.pointee
                            return scp.onStore(
                                Request(
                                    associationID: r.association_id, callingAE: String(cString: r.calling_ae),
                                    peerHost: String(cString: r.peer_host),
                                    sopClassUID: String(cString: r.sop_class_uid),
                                    sopInstanceUID: String(cString: r.sop_instance_uid),
                                    transferSyntaxUID: String(cString: r.transfer_syntax_uid),
                                    path: String(cString: r.path))
                            ).rawValue
                        }
                        config.on_event = { context, event, id, calling, peer, detail in
                            guard let context, let kind = Event(rawValue: event) else { return }
                            let scp = Unmanaged<StorageSCP>.fromOpaque(context).takeUnretainedValue()
                            scp.onEvent(
                                kind, id, calling.map { String(cString: $0) } ?? "",
                                peer.map { String(cString: $0) } ?? "",
                                detail.map { String(cString: $0) } ?? "")
                        }
                        guard let tls = settings.tls else { return bp_scp_start(&config, &status) }
                        return tls.settings.withC { c in
                            config.tls_port = tls.port
                            config.tls = c
                            return bp_scp_start(&config, &status)
                        }
                    }
                }
            }
        }
        guard let started else {
            if status == Int32(BP_E_NET_TLS) { throw .tls(Shim.lastError) }
            throw .listen(port: settings.port, detail: Shim.lastError)
        }
        handle = started
    }

    /// True when the spool's free space is below what receiving needs (objects are answered Out of Resources).
    public var spoolLow: Bool { handle.map { bp_scp_spool_low($0) == 1 } ?? false }

    /// Associations being served now.
    public var activeAssociations: Int { handle.map { Int(bp_scp_active_associations($0)) } ?? 0 }

    /// Stops accepting, waits up to `wait` seconds for associations in
    /// progress; returns how many were still running.
    @discardableResult
    public func stop(wait: Int) -> Int {
        guard let handle else { return 0 }
        let left = Int(bp_scp_stop(handle, UInt32(max(0, wait))))
        if left == 0 {
            bp_scp_free(handle)
        } else {
            // Associations still running keep calling back with `self` as their (unretained)
            // context: the listener is left to them (not freed), and so is this object, on purpose,
            // so that a caller dropping its last reference cannot free it under them.
            _ = Unmanaged.passRetained(self)
        }
        self.handle = nil
        return left
    }
}
