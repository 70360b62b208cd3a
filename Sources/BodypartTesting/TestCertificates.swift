import Foundation

/// A throw-away PKI made by a test with `openssl` (Debian's package): a CA,
/// certificates it signed, and one self-signed certificate no one trusts.
/// RSA 2048 / SHA-256, as BCP 195 asks; valid for two days.
public struct TestCertificates: Sendable {
    public let folder: URL
    /// The CA certificate to trust.
    public var ca: String { folder.appendingPathComponent("ca.crt").path }

    /// Makes the CA and one signed certificate per name in `signed`, plus `untrusted` (self-signed).
    public init(in folder: URL, signed: [String]) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-nodes", "-days", "2", "-subj", "/CN=bodypart test CA",
            "-keyout", path("ca.key"), "-out", path("ca.crt"),
        ])
        for name in signed {
            try Self.openssl([
                "req", "-newkey", "rsa:2048", "-sha256", "-nodes", "-subj", "/CN=\(name)",
                "-keyout", path("\(name).key"), "-out", path("\(name).csr"),
            ])
            try Self.openssl([
                "x509", "-req", "-sha256", "-days", "2", "-in", path("\(name).csr"), "-CA", ca, "-CAkey",
                path("ca.key"),
                "-CAcreateserial", "-out", path("\(name).crt"),
            ])
        }
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-nodes", "-days", "2", "-subj", "/CN=untrusted",
            "-keyout", path("untrusted.key"), "-out", path("untrusted.crt"),
        ])
    }

    /// The certificate and key files of `name`.
    public func pair(_ name: String) -> (certificate: String, key: String) {
        (path("\(name).crt"), path("\(name).key"))
    }

    private func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    private static func openssl(_ arguments: [String]) throws {
        let result = try TestEnvironment.run(TestEnvironment.which("openssl") ?? "/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["openssl": result.stderr]) }
    }
}
