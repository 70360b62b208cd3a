import DicomNet

/// What can go wrong in the proxy, as one line a person can act on.
public enum ProxyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A configuration value is wrong (flag or YAML key).
    case configuration(String)
    /// The listening port cannot be opened.
    case listen(port: UInt16, detail: String)
    /// The spool folder cannot be used.
    case spool(path: String, detail: String)
    /// Another proxy runs on this spool (it holds SPOOL/.lock).
    case spoolInUse(path: String, holder: String)
    /// A destination cannot be reached or refused us.
    case destination(String, detail: String)

    /// A DicomNet error met by the proxy's listener.
    init(_ error: DicomNetError) {
        switch error {
        case .listen(let port, let detail): self = .listen(port: port, detail: detail)
        case .tls(let detail): self = .configuration("tls: \(detail)")
        default: self = .configuration(error.description)
        }
    }

    public var description: String {
        switch self {
        case .configuration(let text): return "configuration: \(text)"
        case .listen(let port, let detail): return "cannot listen on port \(port): \(detail) (is another program using it?)"
        case .spool(let path, let detail): return "spool \(path): \(detail)"
        case .spoolInUse(let path, let holder):
            return "spool \(path) is in use by another bodypart proxy (\(holder)); stop it first, or give this one its own --spool"
        case .destination(let name, let detail): return "destination \(name): \(detail)"
        }
    }
}
