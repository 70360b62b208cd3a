import CDcmtk
import DicomIO
import Foundation

/// The forwarding side towards one destination, wrapping the shim's SCU:
/// one association kept open across objects, contexts proposed for every
/// SOP class and transfer syntax seen so far.
final class StorageSCU {
    /// How one C-STORE ended.
    enum Outcome: Sendable, Equatable {
        /// The receiver answered with this DIMSE status.
        case status(UInt16)
        /// No accepted context can carry the object (compressed, not accepted).
        case unsupported(String)
        /// The network or the association failed.
        case failed(String)
    }

    let destination: Destination
    private let handle: OpaquePointer
    private var proposed: [(sopClass: String, transferSyntax: String)] = []

    init(destination: Destination, aeTitle: String, maxPDU: Int, acseTimeout: Int, dimseTimeout: Int) {
        self.destination = destination
        handle = aeTitle.withCString { ae in
            destination.aeTitle.withCString { peer in
                destination.host.withCString { host in
                    var config = bp_scu_config(ae_title: ae, peer_ae: peer, host: host, port: destination.port,
                                               max_pdu: UInt32(maxPDU), acse_timeout: UInt32(acseTimeout),
                                               dimse_timeout: UInt32(dimseTimeout))
                    return bp_scu_new(&config)
                }
            }
        }
    }

    deinit { bp_scu_free(handle) }

    var isConnected: Bool { bp_scu_connected(handle) == 1 }

    /// True when the open association can carry this object.
    func canSend(sopClass: String, transferSyntax: String) -> Bool {
        bp_scu_can_send(handle, sopClass, transferSyntax) == 1
    }

    /// (Re)opens the association, proposing what was proposed before plus
    /// this pair (at most 60 pairs, the newest kept).
    func connect(adding sopClass: String, transferSyntax: String) throws(ProxyError) {
        if !proposed.contains(where: { $0 == (sopClass, transferSyntax) }) {
            proposed.append((sopClass, transferSyntax))
            if proposed.count > 60 { proposed.removeFirst(proposed.count - 60) }
        }
        let classes = proposed.map { strdup($0.sopClass) }
        let syntaxes = proposed.map { strdup($0.transferSyntax) }
        defer { (classes + syntaxes).forEach { free($0) } }
        let status = classes.map { UnsafePointer($0) }.withUnsafeBufferPointer { c in
            syntaxes.map { UnsafePointer($0) }.withUnsafeBufferPointer { t in
                bp_scu_connect(handle, c.baseAddress, t.baseAddress, c.count)
            }
        }
        guard status == Int32(BP_OK) else {
            throw .destination(destination.description, detail: String(cString: bp_net_last_error()))
        }
    }

    /// Sends one object.
    func store(_ object: DicomObject) -> Outcome {
        guard let pointer = object.shimHandle else { return .failed("object handle unavailable") }
        var dimse: UInt16 = 0
        let status = bp_scu_store(handle, pointer, &dimse)
        switch status {
        case Int32(BP_OK): return .status(dimse)
        case Int32(BP_E_UNSUPPORTED): return .unsupported(String(cString: bp_net_last_error()))
        default: return .failed(String(cString: bp_net_last_error()))
        }
    }

    /// Releases the association, if any.
    func release() { bp_scu_release(handle) }

    /// One C-ECHO on an association of its own.
    static func echo(_ destination: Destination, aeTitle: String, timeout: Int) throws(ProxyError) {
        let status = aeTitle.withCString { ae in
            destination.aeTitle.withCString { peer in
                destination.host.withCString { host in
                    var config = bp_scu_config(ae_title: ae, peer_ae: peer, host: host, port: destination.port,
                                               max_pdu: 16384, acse_timeout: UInt32(timeout), dimse_timeout: UInt32(timeout))
                    return bp_scu_echo(&config)
                }
            }
        }
        guard status == Int32(BP_OK) else {
            throw .destination(destination.description, detail: String(cString: bp_net_last_error()))
        }
    }
}
