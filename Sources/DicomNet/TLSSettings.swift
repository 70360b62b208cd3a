import CDcmtk

#if canImport(Glibc)
    import Glibc
#endif

/// DICOM TLS for one side of an association (DCMTK dcmtls over OpenSSL,
/// BCP 195 profile: TLS 1.2 or later with its cipher suites). Files are PEM.
public struct TLSSettings: Sendable, Hashable, Codable {
    /// Our certificate; nil for an SCU that presents none. Required to listen.
    public var certificate: String?
    /// The certificate's private key (unencrypted PEM).
    public var privateKey: String?
    /// CA certificates we trust: PEM files, or folders of them (hashed with `c_rehash`/`openssl rehash`).
    public var trustedCAs: [String]
    /// True: the peer must present a certificate signed by a trusted CA (as SCP: client
    /// certificates are required; as SCU: the server's is checked). False: not asked / not checked.
    public var verifyPeer: Bool

    public init(
        certificate: String? = nil, privateKey: String? = nil, trustedCAs: [String] = [], verifyPeer: Bool = true
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.trustedCAs = trustedCAs
        self.verifyPeer = verifyPeer
    }

    /// Calls `body` with the C form (its strings live during the call).
    func withC<R>(_ body: (UnsafePointer<bp_tls_config>) -> R) -> R {
        let certificate = self.certificate.map { strdup($0) } ?? nil
        let key = privateKey.map { strdup($0) } ?? nil
        defer {
            free(certificate)
            free(key)
        }
        return Shim.withCStrings(trustedCAs) { cas, count in
            var config = bp_tls_config()
            config.certificate = UnsafePointer(certificate)
            config.private_key = UnsafePointer(key)
            config.trusted_cas = cas
            config.trusted_count = count
            config.verify_peer = verifyPeer ? 1 : 0
            return withUnsafePointer(to: &config) { body($0) }
        }
    }
}
