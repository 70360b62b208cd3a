import CDcmtk
import DicomCore

#if canImport(Glibc)
    import Glibc
#endif

/// The one place DicomNet talks to the shim's network API for the SCU side:
/// building the C configuration and turning shim status codes into
/// `DicomNetError`s.
enum Shim {
    /// The network error text of this thread.
    static var lastError: String { String(cString: bp_net_last_error()) }

    /// Calls `body` with a `bp_scu_config` for `peer` (its strings live during the call).
    static func withSCUConfig<R>(
        _ peer: DicomPeer, _ settings: AssociationSettings,
        _ body: (UnsafePointer<bp_scu_config>) -> R
    ) -> R {
        settings.aeTitle.withCString { ae in
            peer.aeTitle.withCString { called in
                peer.host.withCString { host in
                    var config = bp_scu_config()
                    config.ae_title = ae
                    config.peer_ae = called
                    config.host = host
                    config.port = peer.port
                    config.max_pdu = UInt32(clamping: settings.maxPDU)
                    config.acse_timeout = UInt32(clamping: settings.acseTimeout)
                    config.dimse_timeout = UInt32(clamping: settings.dimseTimeout)
                    guard let tls = settings.tls else { return withUnsafePointer(to: &config) { body($0) } }
                    return tls.withC { c in
                        config.tls = c
                        return withUnsafePointer(to: &config) { body($0) }
                    }
                }
            }
        }
    }

    /// A shim status of an SCU call as an error (nil for BP_OK).
    static func error(_ status: Int32, peer: DicomPeer) -> DicomNetError? {
        let detail = lastError
        switch Int(status) {
        case Int(BP_OK): return nil
        case Int(BP_E_NET_ASSOCIATION): return .association(peer: peer.description, detail: detail)
        case Int(BP_E_NET_TIMEOUT): return .timeout(peer: peer.description, detail: detail)
        case Int(BP_E_UNSUPPORTED), Int(BP_E_INVALID): return .invalidRequest("\(peer): \(detail)")
        case Int(BP_E_NET_TLS): return .tls(detail)
        default: return .network(peer: peer.description, detail: detail)
        }
    }

    /// Copies Swift strings into C strings for the duration of `body`.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }
}
