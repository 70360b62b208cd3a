import CDcmtk
import DicomCore
import DicomIO
import Foundation

/// The sending side towards one peer, wrapping the shim's SCU: one
/// association kept open across objects, contexts proposed for every SOP
/// class and transfer syntax seen so far. One owner at a time (not Sendable).
public final class StorageSCU {
    /// How one C-STORE ended.
    public enum Outcome: Sendable, Equatable {
        /// The receiver answered with this DIMSE status.
        case status(DIMSEStatus)
        /// No accepted context can carry the object (compressed, not accepted).
        case unsupported(String)
        /// The network or the association failed (the association is closed).
        case failed(String)
    }

    public let peer: DicomPeer
    private let handle: OpaquePointer
    private var proposed: [(sopClass: String, transferSyntax: String)] = []

    public init(peer: DicomPeer, settings: AssociationSettings) {
        self.peer = peer
        handle = Shim.withSCUConfig(peer, settings) { bp_scu_new($0) }
    }

    deinit { bp_scu_free(handle) }

    public var isConnected: Bool { bp_scu_connected(handle) == 1 }

    /// True when the open association can carry this object.
    public func canSend(sopClass: String, transferSyntax: String) -> Bool {
        bp_scu_can_send(handle, sopClass, transferSyntax) == 1
    }

    /// (Re)opens the association, proposing what was proposed before plus
    /// this pair (at most 60 pairs, the newest kept).
    public func connect(adding sopClass: String, transferSyntax: String) throws(DicomNetError) {
        if !proposed.contains(where: { $0 == (sopClass, transferSyntax) }) {
            proposed.append((sopClass, transferSyntax))
            if proposed.count > 60 { proposed.removeFirst(proposed.count - 60) }
        }
        let status = Shim.withCStrings(proposed.map(\.sopClass)) { classes, count in
            Shim.withCStrings(proposed.map(\.transferSyntax)) { syntaxes, _ in
                bp_scu_connect(handle, classes, syntaxes, count)
            }
        }
        if let error = Shim.error(status, peer: peer) { throw error }
    }

    /// Sends one object (edited in memory or as read).
    public func store(_ object: DicomObject) -> Outcome {
        var dimse: UInt16 = 0
        let status = bp_scu_store(handle, object.handle, &dimse)
        switch status {
        case Int32(BP_OK): return .status(DIMSEStatus(dimse))
        case Int32(BP_E_UNSUPPORTED): return .unsupported(Shim.lastError)
        default: return .failed(Shim.lastError)
        }
    }

    /// Releases the association, if any.
    public func release() { bp_scu_release(handle) }
}

/// C-ECHO (the Verification SOP class) on an association of its own.
public enum VerificationSCU {
    /// Opens an association with Verification only, sends C-ECHO, releases.
    public static func echo(_ peer: DicomPeer, settings: AssociationSettings) throws(DicomNetError) {
        let status = Shim.withSCUConfig(peer, settings) { bp_scu_echo($0) }
        if let error = Shim.error(status, peer: peer) { throw error }
    }
}
