import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// DICOM TLS end to end with DCMTK's own TLS tools and certificates made by
/// the test: storescu +tls → proxy TLS port → storescp +tls, the plain port
/// beside it, and callers without a trusted certificate refused.
@Suite(.serialized) struct ProxyTLSTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static let files = Array(Peers.dev(Peers.lungCT).prefix(3))

    @Test func tlsStoreIsForwardedToATLSReceiverAndUntrustedCallersAreRefused() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-tls")
        defer { TestEnvironment.remove(folder) }
        let pki = try TestCertificates(
            in: folder.appendingPathComponent("pki"), signed: ["proxy", "modality", "receiver"])
        let (receiverPort, proxyPort, tlsPort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        // The receiver speaks TLS only and requires a client certificate from our CA.
        let received = folder.appendingPathComponent("recv")
        let receiver = try Peers.storescp(
            into: received, port: receiverPort,
            options: ["+tls", pki.pair("receiver").key, pki.pair("receiver").certificate, "+cf", pki.ca, "+px"],
            log: folder.appendingPathComponent("storescp.log"))
        defer { receiver.stop() }
        _ = try Peers.config(
            in: folder,
            """
            tls:
              port: \(tlsPort)
              certificate: \(pki.pair("proxy").certificate)
              private_key: \(pki.pair("proxy").key)
              trusted_cas: [\(pki.ca)]
              verify_peer: require
            destinations:
              - { ae_title: STORESCP, host: 127.0.0.1, port: \(receiverPort), tls: true, trusted_cas: [\(pki.ca)] }
            """)
        let proxy = try Peers.proxy(
            [
                "--spool", folder.appendingPathComponent("spool").path,
                "--audit", folder.appendingPathComponent("audit.sqlite").path,
                "--config", folder.appendingPathComponent("proxy.yaml").path,
            ],
            port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        #expect(Peers.waitUntil(20) { Peers.isListening(tlsPort) }, "\(proxy.output)")
        // A modality with a certificate from the trusted CA, over TLS.
        let tlsSent = try Peers.storescu(
            [Self.files[0], Self.files[1]], port: tlsPort,
            options: ["+tls", pki.pair("modality").key, pki.pair("modality").certificate, "+cf", pki.ca, "+px"])
        #expect(Peers.successes(tlsSent) == 2, "\(tlsSent.stderr) \(proxy.output)")
        // The plain port beside it still works.
        let plainSent = try Peers.storescu([Self.files[2]], port: proxyPort)
        #expect(Peers.successes(plainSent) == 1, "\(plainSent.stderr)")
        // All three reach the TLS-only receiver, so the proxy sent them over TLS.
        #expect(
            Peers.waitUntil(60) { TestEnvironment.files(under: received).count == 3 },
            "\(proxy.output) \(receiver.output)")
        // A self-signed client certificate, and no certificate at all: refused, nothing stored.
        for options in [
            ["+tls", pki.pair("untrusted").key, pki.pair("untrusted").certificate, "+cf", pki.ca],
            ["+tla", "+cf", pki.ca],
        ] {
            let refused = try Peers.storescu([Self.files[0]], port: tlsPort, options: options)
            #expect(refused.status != 0, "\(options)")
            #expect(Peers.successes(refused) == 0)
        }
        // A plain caller on the TLS port is not served either.
        let plainOnTLS = try Peers.storescu([Self.files[0]], port: tlsPort, options: ["-to", "5", "-ta", "5"])
        #expect(Peers.successes(plainOnTLS) == 0)
        #expect(Peers.waitUntil(10) { proxy.output.contains("TLS handshake") }, "\(proxy.output)")
        proxy.stop()
        let rows = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path).errors(runID: nil)
        #expect(rows.filter { $0.kind == "association-rejected" && $0.message.contains("TLS") }.count >= 2)
        #expect(TestEnvironment.files(under: received).count == 3)
    }

    @Test func badTLSSettingsAreConfigurationErrors() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-tls-config")
        defer { TestEnvironment.remove(folder) }
        for (yaml, expected) in [
            ("tls:\n  port: 2762\n  certificate: a.crt\n", "tls needs certificate and private_key"),
            (
                "tls:\n  port: 2762\n  certificate: a.crt\n  private_key: a.key\n  verify_peer: maybe\n",
                "verify_peer must be require or ignore"
            ),
            ("tls:\n  port: 2762\n  certificate: a.crt\n  private_key: a.key\n", "needs trusted_cas"),
            ("tls:\n  port: 2762\n  certifcate: a.crt\n", "unknown key tls.certifcate"),
            (
                "tls:\n  port: 2762\n  certificate: /nonexistent/a.crt\n  private_key: /nonexistent/a.key\n  verify_peer: ignore\n",
                "TLS file or folder /nonexistent/a.crt does not exist"
            ),
        ] {
            let config = folder.appendingPathComponent("proxy.yaml")
            try ("destinations: [PACS@127.0.0.1:104]\n" + yaml).write(to: config, atomically: true, encoding: .utf8)
            let result = try TestEnvironment.bodypart(["proxy", "--config", config.path, "--check"])
            #expect(result.status == 64)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
    }
}
