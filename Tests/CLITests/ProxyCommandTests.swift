import BodypartTesting
import Foundation
import Testing

/// `bodypart proxy` argument handling and `--check`, end to end (the
/// forwarding itself is tested in Tests/ProxyTests with real peers).
@Suite struct ProxyCommandTests {
    @Test func noDestinationIsAUsageError() throws {
        let result = try TestEnvironment.bodypart(["proxy", "--port", "11112"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--destination"), "\(result.stderr)")
    }

    @Test func unknownConfigurationKeyIsNamed() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-cli")
        defer { TestEnvironment.remove(folder) }
        let config = folder.appendingPathComponent("proxy.yaml")
        try "destinations: [PACS@127.0.0.1:104]\nretry:\n  max_atempts: 3\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try TestEnvironment.bodypart(["proxy", "--config", config.path, "--check"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown key retry.max_atempts"), "\(result.stderr)")
    }

    @Test func checkEchoesEachDestination() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-check")
        defer { TestEnvironment.remove(folder) }
        let port = Peers.freePort()
        let scp = try Peers.storescp(into: folder.appendingPathComponent("received"), port: port,
                                     log: folder.appendingPathComponent("storescp.log"))
        defer { scp.stop() }
        // Wait until storescp answers C-ECHO (a fixed sleep was too short on a loaded machine).
        #expect(Peers.waitUntil(20) { Peers.echoes(port) }, "\(scp.output)")
        let ok = try TestEnvironment.bodypart(["proxy", "--check", "--destination", "STORESCP@127.0.0.1:\(port)",
                                               "--destination", "GONE@127.0.0.1:\(port + 1)"])
        #expect(ok.stdout.contains("STORESCP@127.0.0.1:\(port): C-ECHO ok"), "\(ok.stdout) \(ok.stderr)")
        #expect(ok.stdout.contains("GONE@127.0.0.1:\(port + 1): C-ECHO FAILED"))
        #expect(ok.status == 74)
    }
}
