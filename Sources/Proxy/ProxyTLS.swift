import DicomNet

/// The proxy's DICOM TLS listener (`tls:` in the configuration): a second
/// port beside the plain one, on the same address, with the proxy's
/// certificate; the same certificate is presented to TLS destinations.
public struct ProxyTLS: Sendable, Hashable {
    /// The TLS port (the plain `port` keeps listening).
    public var port: UInt16
    /// Certificate, key, trusted CAs, and whether callers must present a trusted certificate.
    public var settings: TLSSettings

    public init(port: UInt16, settings: TLSSettings) {
        self.port = port
        self.settings = settings
    }

    /// Reads the `tls:` mapping: port, certificate, private_key, trusted_cas, verify_peer (require | ignore).
    static func parse(_ value: Any, place: String) throws(ProxyError) -> ProxyTLS {
        guard let map = value as? [String: Any] else { throw .configuration("\(place): tls must be a mapping") }
        var port: UInt16?
        var settings = TLSSettings(verifyPeer: true)
        for (key, setting) in map {
            switch key {
            case "port":
                guard let number = setting as? Int, let value = UInt16(exactly: number), value > 0 else {
                    throw .configuration("\(place): tls.port must be 1...65535")
                }
                port = value
            case "certificate": settings.certificate = "\(setting)"
            case "private_key": settings.privateKey = "\(setting)"
            case "trusted_cas": settings.trustedCAs = try paths(setting, "tls.trusted_cas", place)
            case "verify_peer":
                switch "\(setting)" {
                case "require": settings.verifyPeer = true
                case "ignore": settings.verifyPeer = false
                default: throw .configuration("\(place): tls.verify_peer must be require or ignore")
                }
            default:
                throw .configuration(
                    "\(place): unknown key tls.\(key) (port, certificate, private_key, trusted_cas, verify_peer)")
            }
        }
        guard let port else { throw .configuration("\(place): tls needs a port") }
        guard settings.certificate != nil, settings.privateKey != nil else {
            throw .configuration("\(place): tls needs certificate and private_key (PEM files)")
        }
        if settings.verifyPeer && settings.trustedCAs.isEmpty {
            throw .configuration(
                "\(place): tls.verify_peer: require needs trusted_cas (the CAs that sign the modalities' certificates)")
        }
        return ProxyTLS(port: port, settings: settings)
    }

    /// A file or folder, or a list of them.
    static func paths(_ value: Any, _ key: String, _ place: String) throws(ProxyError) -> [String] {
        if let list = value as? [Any] { return list.map { "\($0)" } }
        if let one = value as? String { return [one] }
        throw .configuration("\(place): \(key) must be a file or a list of files/folders")
    }
}
