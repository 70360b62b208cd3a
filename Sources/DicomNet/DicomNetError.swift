import DicomCore

/// What can go wrong on the DICOM network, as one line a person can act on.
/// The shim's status codes become these in one place (`Shim.error`).
public enum DicomNetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The listening port (or address) cannot be opened.
    case listen(port: UInt16, detail: String)
    /// No association: the peer cannot be reached, or it rejected the association.
    case association(peer: String, detail: String)
    /// The association broke during an operation (network error, abort, protocol error).
    case network(peer: String, detail: String)
    /// The peer did not answer within the DIMSE timeout.
    case timeout(peer: String, detail: String)
    /// The peer answered the operation with a failure status.
    case refused(peer: String, operation: String, status: DIMSEStatus, detail: String)
    /// The request cannot be made as asked (unknown keyword, no accepted context).
    case invalidRequest(String)
    /// The TLS set-up failed (certificate, key or CA files).
    case tls(String)

    public var description: String {
        switch self {
        case .listen(let port, let detail):
            return "cannot listen on port \(port): \(detail) (is another program using it?)"
        case .association(let peer, let detail): return "\(peer): no association: \(detail)"
        case .network(let peer, let detail): return "\(peer): association failed: \(detail)"
        case .timeout(let peer, let detail): return "\(peer): no answer in time: \(detail)"
        case .refused(let peer, let operation, let status, let detail):
            return "\(peer): \(operation) refused with status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .invalidRequest(let text): return text
        case .tls(let text): return "TLS: \(text)"
        }
    }
}
