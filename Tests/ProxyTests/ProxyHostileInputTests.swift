import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What an attacker or a broken sender can do to the listening side: deep
/// nesting, datasets cut inside Pixel Data, connections that say nothing.
/// The proxy must answer a failure the sender sees, keep the bytes for
/// inspection, and go on serving everyone else.
@Suite(.serialized) struct ProxyHostileInputTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// A proxy with a storescp behind it, in a new test folder `name`.
    private func peers(_ name: String, extra: [String] = [], config: String? = nil) throws -> (bed: ProxyTestbed, proxy: Peers.Background) {
        let bed = try ProxyTestbed(name)
        do { return (bed, try bed.proxy(try bed.arguments(extra: extra, config: config))) } catch {
            bed.close()
            throw error
        }
    }

    @Test func deeplyNestedDatasetIsRefusedAndTheProxyKeepsServing() throws {
        let (bed, proxy) = try peers("proxy-nested")
        defer { proxy.stop(); bed.close() }
        let (folder, port, received, files) = (bed.folder, bed.proxyPort, bed.received, Peers.dev(Peers.lungCT))
        let (sopClass, sop) = try Peers.sopIdentity(files[0])
        let nested = HostileDatasets.nested(try RawAssociation.dataset(ofFile: files[0]), depth: 6_000)
        let association = try RawAssociation(port: port, sopClass: sopClass)
        let status = try association.store(sopClass: sopClass, sopInstance: sop, dataset: nested)
        #expect(status == 0xC002, "a failure status the sender sees: \(String(describing: status))\n\(proxy.output)")
        try association.release()
        #expect(proxy.process.isRunning, "the proxy survived: \(proxy.output)")
        #expect(proxy.output.contains("nested too deep"), "\(proxy.output)")
        // The bytes are kept for inspection, with why.
        let refused = folder.appendingPathComponent("spool/refused")
        let kept = TestEnvironment.files(under: refused).filter { $0.hasSuffix(".dcm") }
        #expect(kept.count == 1)
        let note = try String(contentsOfFile: try #require(kept.first) + ".json", encoding: .utf8)
        #expect(note.contains("0xC002") && note.contains("128 levels"), "\(note)")
        // The next sender is served as usual; the refused object never went on.
        let sent = try Peers.storescu(Array(files[1..<4]), port: port)
        #expect(Peers.successes(sent) == 3, "\(sent.stderr)")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 3 }, "\(proxy.output)")
        #expect(!Set(TestEnvironment.files(under: received).compactMap(Peers.sopInstanceUID)).contains(sop))
    }

    @Test func datasetCutInsidePixelDataGetsAFailureStatusAndIsKept() throws {
        let (bed, proxy) = try peers("proxy-cut-pixels")
        defer { proxy.stop(); bed.close() }
        let (folder, port, received, files) = (bed.folder, bed.proxyPort, bed.received, Peers.dev(Peers.lungCT))
        let (sopClass, sop) = try Peers.sopIdentity(files[0])
        let dataset = try RawAssociation.dataset(ofFile: files[0])
        // Well-formed PDVs, the last one marked last: only the dataset is short (4,000 bytes of pixels missing).
        let cut = Array(dataset.prefix(dataset.count - 4_000))
        let association = try RawAssociation(port: port, sopClass: sopClass)
        let status = try association.store(sopClass: sopClass, sopInstance: sop, dataset: cut)
        #expect(status == 0xC001, "status \(String(describing: status))")
        // The same association goes on: the complete object is accepted.
        #expect(try association.store(sopClass: sopClass, sopInstance: sop, dataset: dataset) == 0x0000)
        try association.release()
        let refused = TestEnvironment.files(under: folder.appendingPathComponent("spool/refused")).filter {
            $0.hasSuffix(".dcm")
        }
        #expect(refused.count == 1)
        if let kept = refused.first {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: kept))
            #expect(bytes.suffix(cut.count) == Data(cut), "the bytes as received, for inspection")
            let note = try String(contentsOfFile: kept + ".json", encoding: .utf8)
            #expect(note.contains("(7FE0,0010)") && note.contains("0xC001"), "\(note)")
        }
        #expect(proxy.output.contains("dataset truncated"), "\(proxy.output)")
        #expect(
            Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 }, "only the complete one went on")
        _ = Peers.waitUntil(2) { false }
        #expect(TestEnvironment.files(under: received).count == 1)
        #expect(TestEnvironment.files(under: folder.appendingPathComponent("spool/quarantine")).isEmpty)
    }

    @Test func silentConnectionsDoNotLockOutAModality() throws {
        let config = """
            retry:
              initial_delay: 0.2
              max_delay: 1
              max_attempts: 3
            timeouts:
              acse: 4
              stop: 10
              idle_release: 1
            """
        let (bed, proxy) = try peers("proxy-silent", extra: ["--allow", "MODALITY"], config: config)
        defer { proxy.stop(); bed.close() }
        let (port, received) = (bed.proxyPort, bed.received)
        let silent = (0..<50).compactMap { _ in Peers.connectLoopback(port) }
        defer { silent.forEach { close($0) } }
        #expect(silent.count == 50)
        // storescu gives up after 10 s (connection, association, DIMSE): it must be served meanwhile.
        let files = Array(Peers.dev(Peers.lungCT).prefix(3))
        let sent = try Peers.storescu(files, port: port, options: ["-to", "10", "-ta", "10", "-td", "10"])
        #expect(Peers.successes(sent) == 3, "\(sent.stderr)\n\(proxy.output)")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 3 }, "\(proxy.output)")
        // No more than 16 silent connections from one address are kept: the oldest were closed.
        let closed = silent.filter { fd in
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
        }
        #expect(closed.count >= 34, "closed \(closed.count) of 50")
        #expect(proxy.output.contains("too many connections from 127.0.0.1"), "\(proxy.output)")
        // The rest time out (ACSE timeout, 4 s here), said as such.
        #expect(Peers.waitUntil(15) { proxy.output.contains("no association request within 4 s") }, "\(proxy.output)")
        #expect(!proxy.output.contains("bad application context name"), "\(proxy.output)")
    }

    @Test func leadingSpacesOfTheCallingAETitleAreNotSignificant() throws {
        let (bed, proxy) = try peers("proxy-ae-spaces", extra: ["--allow", "MODALITY"])
        defer { proxy.stop(); bed.close() }
        let (port, received) = (bed.proxyPort, bed.received)
        // PS3.5 §6.2: leading and trailing spaces of an AE title are not significant.
        let sent = try Peers.storescu([Peers.dev(Peers.lungCT)[0]], port: port, callingAE: "  MODALITY")
        #expect(Peers.successes(sent) == 1, "\(sent.stderr)\n\(proxy.output)")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 })
        #expect(Peers.successes(try Peers.storescu([Peers.dev(Peers.lungCT)[1]], port: port, callingAE: "OTHER")) == 0)
    }

    @Test func fullSpoolShowsInMetricsAndHealthAsSendersSeeIt() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-full-metrics")
        defer { TestEnvironment.remove(folder) }
        do {
            try FullDisk.withTinyFileSystem(bytes: 3 << 20) { mount in
                let (scpPort, proxyPort, metricsPort) = (Peers.freePort(), Peers.freePort(), Peers.freePort())
                let spool = mount.appendingPathComponent("spool")
                let proxy = try Peers.proxy(
                    try Peers.arguments(
                        folder, destinationPort: scpPort, spool: spool,
                        extra: ["--metrics-port", "\(metricsPort)"]),
                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
                defer { proxy.stop() }
                let files = Peers.dev(Peers.wholeBodyCT).prefix(12).map { $0 }
                let sent = try Peers.storescu(files, port: proxyPort)
                let told = Peers.successes(sent)
                // storescu stops at its first failure: the modality tries again, object by object.
                func refusals(_ output: TestEnvironment.Output) -> Int {
                    (output.stdout + output.stderr).components(
                        separatedBy: "Received Store Response (Refused: OutOfResources)"
                    ).count - 1
                }
                var refused = refusals(sent)
                for file in files[told...].prefix(3) {
                    refused += refusals(try Peers.storescu([file], port: proxyPort))
                }
                #expect(told < files.count && refused == 4, "told \(told), refused \(refused): \(sent.stdout)")
                let metrics = try TestEnvironment.run(
                    "/usr/bin/curl", ["-s", "http://127.0.0.1:\(metricsPort)/metrics"]
                ).stdout
                #expect(metrics.contains("bodypart_proxy_store_failures_total \(refused)"), "\(metrics)")
                #expect(metrics.contains("bodypart_proxy_received_total \(told)"), "\(metrics)")
                let health = try TestEnvironment.run(
                    "/usr/bin/curl", ["-s", "-w", "%{http_code}", "http://127.0.0.1:\(metricsPort)/healthz"]
                ).stdout
                #expect(
                    health.hasPrefix("unhealthy") && health.hasSuffix("503")
                        && health.contains("refusing objects (Out of Resources): true"),
                    "\(health)")
                // One line per refused object that says so; the associations did not fail.
                #expect(!proxy.output.contains("association failed"), "\(proxy.output)")
                #expect(proxy.output.components(separatedBy: "C-STORE refused").count - 1 == refused, "\(proxy.output)")
                // The receiver comes up, the spool drains, an object is accepted again: healthy.
                let scp = try Peers.storescp(
                    into: folder.appendingPathComponent("recv"), port: scpPort,
                    log: folder.appendingPathComponent("scp.log"))
                defer { scp.stop() }
                #expect(
                    Peers.waitUntil(60) { TestEnvironment.files(under: spool.appendingPathComponent("queue")).isEmpty })
                #expect(Peers.successes(try Peers.storescu([files[told]], port: proxyPort)) == 1)
                let again = try TestEnvironment.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(metricsPort)/healthz"])
                    .stdout
                #expect(again.hasPrefix("ok"), "\(again)")
            }
        } catch let error as FullDisk.Unavailable {
            print("skipped: \(error)")
        }
    }
}
