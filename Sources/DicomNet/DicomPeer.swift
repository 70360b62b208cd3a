/// A remote DICOM application entity: its (called) AE title and address.
public struct DicomPeer: Sendable, Hashable, Codable, CustomStringConvertible {
    public var aeTitle: String
    public var host: String
    public var port: UInt16

    public init(aeTitle: String, host: String, port: UInt16) {
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
    }

    /// `AE@host:port`.
    public var description: String { "\(aeTitle)@\(host):\(port)" }
}

/// How bodypart opens an association as SCU: its own AE title, PDU size and timeouts.
public struct AssociationSettings: Sendable, Hashable {
    /// Our (calling) AE title.
    public var aeTitle: String
    /// Largest PDU we receive (bytes).
    public var maxPDU: Int
    /// Seconds for the TCP connect and the association negotiation.
    public var acseTimeout: Int
    /// Seconds to wait for each response.
    public var dimseTimeout: Int
    /// nil: plain TCP; else DICOM TLS towards the peer.
    public var tls: TLSSettings?

    public init(
        aeTitle: String = "BODYPART", maxPDU: Int = 65536, acseTimeout: Int = 30, dimseTimeout: Int = 60,
        tls: TLSSettings? = nil
    ) {
        self.aeTitle = aeTitle
        self.maxPDU = maxPDU
        self.acseTimeout = acseTimeout
        self.dimseTimeout = dimseTimeout
        self.tls = tls
    }
}
