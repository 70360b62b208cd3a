/// A receiver the proxy forwards to: `AE@host:port`.
public struct Destination: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The receiver's (called) AE title.
    public var aeTitle: String
    public var host: String
    public var port: UInt16
    /// nil: plain TCP. Else DICOM TLS: the CAs that sign the receiver's certificate
    /// (always verified); our certificate is the `tls:` section's, if any.
    public var tls: TLSSettings?

    public init(aeTitle: String, host: String, port: UInt16, tls: TLSSettings? = nil) {
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `AE@host:port` (the AE title may be omitted: `host:port` uses ANY-SCP).
    public init(parsing text: String) throws(ProxyError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var rest = Substring(trimmed)
        var ae = "ANY-SCP"
        if let at = rest.lastIndex(of: "@") {
            ae = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else {
            throw .configuration("destination '\(text)' is not AE@host:port")
        }
        let host = String(rest[..<colon])
        guard !host.isEmpty else { throw .configuration("destination '\(text)' has no host") }
        guard !ae.isEmpty, ae.count <= 16, ae.allSatisfy({ $0.isASCII && $0 != "\\" }) else {
            throw .configuration("destination '\(text)': AE title must be 1 to 16 ASCII characters")
        }
        self.init(aeTitle: ae, host: host, port: port)
    }

    public var description: String { "\(aeTitle)@\(host):\(port)" }

    /// The peer DicomNet talks to.
    public var peer: DicomPeer { DicomPeer(aeTitle: aeTitle, host: host, port: port) }

    /// The spool folder name of this destination (file-name safe).
    public var folderName: String {
        String(description.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "@" ? $0 : "_" })
    }
}

import DicomNet
import Foundation
