import BodypartTesting
import DicomIO
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One proxy per spool, and `--check` says what would stop a start.
@Suite(.serialized) struct ProxySpoolLockTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    @Test func secondProxyOnASpoolInUseRefusesAndCheckSaysWhy() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-lock")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, firstPort, secondPort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
        let scp = try Peers.storescp(
            into: folder.appendingPathComponent("recv"), port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let arguments = try Peers.arguments(folder, destinationPort: scpPort)
        let first = try Peers.proxy(arguments, port: firstPort, log: folder.appendingPathComponent("first.log"))
        defer { first.stop() }
        #expect(first.process.isRunning)

        // A second proxy on the same spool (another port): refuses at once, with its own exit code.
        let second = try Peers.Background(
            TestEnvironment.bodypart, ["proxy", "--port", "\(secondPort)"] + arguments,
            log: folder.appendingPathComponent("second.log"))
        let ended = Peers.waitUntil(30) { !second.process.isRunning }
        if !ended { second.kill9() }
        #expect(ended, "the second proxy must not run: \(second.output)")
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 75, "\(second.output)")
        #expect(
            second.output.contains("in use by another bodypart proxy (pid \(first.process.processIdentifier))"),
            "\(second.output)")
        #expect(!Peers.isListening(secondPort))
        // The first is untouched: it still serves.
        #expect(Peers.successes(try Peers.storescu([Peers.dev(Peers.lungCT)[0]], port: firstPort)) == 1)

        // --check with the first one's port: the port is taken and the spool in use, said so (exit 74).
        let busy = try TestEnvironment.bodypart(["proxy", "--check", "--port", "\(firstPort)"] + arguments)
        #expect(busy.status == 74, "\(busy.stdout)\(busy.stderr)")
        #expect(busy.stdout.contains("port \(firstPort): FAILED"), "\(busy.stdout)")
        #expect(busy.stdout.contains("spool: IN USE"), "\(busy.stdout)")

        // Once the first stopped, the same check passes, and a proxy starts on the spool.
        first.stop()
        let free = try TestEnvironment.bodypart(["proxy", "--check", "--port", "\(firstPort)"] + arguments)
        #expect(free.status == 0, "\(free.stdout)\(free.stderr)")
        #expect(
            free.stdout.contains("port \(firstPort): free") && free.stdout.contains("spool: not in use"),
            "\(free.stdout)")
        let third = try Peers.proxy(arguments, port: secondPort, log: folder.appendingPathComponent("third.log"))
        defer { third.stop() }
        #expect(third.process.isRunning && Peers.isListening(secondPort), "\(third.output)")
    }
}
