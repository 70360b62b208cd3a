import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// The allow-list by address (`allow: [{ae, from}]`) and the bound listen
/// address, with real storescu from 127.0.0.1.
@Suite(.serialized) struct ProxyAddressTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// A proxy with `yaml` added to the test configuration, a storescp behind it.
    func withProxy(
        _ yaml: String,
        _ body: (_ proxyPort: UInt16, _ received: URL, _ proxy: Peers.Background, _ folder: URL) throws -> Void
    )
        throws
    {
        let folder = try TestEnvironment.temporaryFolder("proxy-address")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        _ = try Peers.config(in: folder, yaml)
        let proxy = try Peers.proxy(
            [
                "--destination", "STORESCP@127.0.0.1:\(scpPort)", "--spool",
                folder.appendingPathComponent("spool").path,
                "--audit", folder.appendingPathComponent("audit.sqlite").path,
                "--config", folder.appendingPathComponent("proxy.yaml").path,
            ],
            port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        try body(proxyPort, received, proxy, folder)
    }

    static let file = Peers.dev(Peers.lungCT)[0]

    @Test func callerInsideTheAllowedRangeIsServed() throws {
        try withProxy("allow:\n  - { ae: MODALITY, from: 127.0.0.0/8 }\n  - OTHER_AE\n") { port, received, proxy, _ in
            let sent = try Peers.storescu([Self.file], port: port)
            #expect(Peers.successes(sent) == 1, "\(sent.stderr) \(proxy.output)")
            #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 })
        }
    }

    @Test func callerOutsideTheRangeIsRefusedLoggedAndAudited() throws {
        try withProxy("allow:\n  - { ae: MODALITY, from: 10.1.2.0/24 }\n  - { from: \"fd00::/8\" }\n") {
            port, received, proxy, folder in
            let sent = try Peers.storescu([Self.file], port: port)
            #expect(sent.status != 0)
            #expect((sent.stdout + sent.stderr).contains("Calling AE Title Not Recognized"), "\(sent.stderr)")
            #expect(Peers.successes(sent) == 0)
            #expect(TestEnvironment.files(under: received).isEmpty)
            #expect(Peers.waitUntil(10) { proxy.output.contains("association rejected") }, "\(proxy.output)")
            #expect(proxy.output.contains("127.0.0.1"))
            proxy.stop()
            let rows = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path).errors(runID: nil)
            let refusal = try #require(rows.first { $0.kind == "association-rejected" })
            #expect(refusal.message.contains("MODALITY") && refusal.message.contains("127.0.0.1"), "\(refusal.message)")
        }
    }

    @Test func boundToLoopbackOneAddressOnly() throws {
        try withProxy("listen_address: 127.0.0.1\n") { port, received, proxy, _ in
            let sent = try Peers.storescu([Self.file], port: port)
            #expect(Peers.successes(sent) == 1, "\(sent.stderr) \(proxy.output)")
            #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 })
            // 127.0.0.2 is another address of this machine (all of 127/8 is loopback): nothing listens there.
            let other = try TestEnvironment.run(
                Peers.tool("echoscu"), ["-to", "5", "-aec", "BODYPART", "127.0.0.2", "\(port)"])
            #expect(other.status != 0)
            #expect(
                (other.stdout + other.stderr).contains("refused") || (other.stdout + other.stderr).contains("Refused"),
                "\(other.stderr)")
        }
    }

    @Test func boundToEveryInterfaceByDefault() throws {
        try withProxy("") { port, _, proxy, _ in
            let other = try TestEnvironment.run(
                Peers.tool("echoscu"), ["-to", "5", "-aec", "BODYPART", "127.0.0.2", "\(port)"])
            #expect(other.status == 0, "\(other.stderr) \(proxy.output)")
        }
    }

    @Test func malformedEntriesAreConfigurationErrors() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-address-config")
        defer { TestEnvironment.remove(folder) }
        for (yaml, expected) in [
            ("allow:\n  - { ae: CT1, from: 10.1.2.0/33 }\n", "allow.from '10.1.2.0/33'"),
            ("allow:\n  - { ae: CT1, form: 10.1.2.0/24 }\n", "unknown key allow.form"),
            ("listen_address: somewhere\n", "listen_address somewhere"),
        ] {
            let config = folder.appendingPathComponent("proxy.yaml")
            try ("destinations: [PACS@127.0.0.1:104]\n" + yaml).write(to: config, atomically: true, encoding: .utf8)
            let result = try TestEnvironment.bodypart(["proxy", "--config", config.path, "--check"])
            #expect(result.status == 64)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
    }
}
