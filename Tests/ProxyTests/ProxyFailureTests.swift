import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The proxy when things go wrong: full spool, callers not allowed, requests
/// it does not serve, objects the receiver refuses, several modalities at once.
@Suite(.serialized) struct ProxyFailureTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    @Test func fullSpoolAnswersOutOfResourcesThenRecovers() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-full")
        defer { TestEnvironment.remove(folder) }
        do {
            try FullDisk.withTinyFileSystem(bytes: 3 << 20) { mount in
                let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
                let spool = mount.appendingPathComponent("spool")
                let proxy = try Peers.proxy(try Peers.arguments(folder, destinationPort: scpPort, spool: spool), port: proxyPort,
                                            log: folder.appendingPathComponent("proxy.log"))
                defer { proxy.stop() }
                let files = Peers.dev(Peers.wholeBodyCT).prefix(12).map { $0 }
                let sent = try Peers.storescu(files, port: proxyPort)
                let told = Peers.successes(sent)
                #expect(told < files.count, "the spool filled up")
                #expect((sent.stdout + sent.stderr).contains("OutOfResources"), "\(sent.stderr)")
                // Every Success is in the spool; no failed object is.
                let queued = TestEnvironment.files(under: spool.appendingPathComponent("queue")).filter { $0.hasSuffix(".dcm") }
                #expect(queued.count == told)
                // The receiver comes up, the spool drains, the rest goes through.
                let received = folder.appendingPathComponent("recv")
                let scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
                defer { scp.stop() }
                #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == told }, "\(proxy.output)")
                _ = Peers.waitUntil(10) { TestEnvironment.files(under: spool.appendingPathComponent("queue")).isEmpty }
                // Service resumes: the modality sends what was refused again (as it would), in
                // rounds while the tiny spool drains, until everything is in.
                var rest = Array(files.suffix(files.count - told))
                for _ in 0..<10 where !rest.isEmpty {
                    let again = try Peers.storescu(rest, port: proxyPort)
                    let accepted = Peers.successes(again)
                    #expect(accepted > 0, "space freed, so something is accepted: \(again.stderr)")
                    rest.removeFirst(accepted)
                    _ = Peers.waitUntil(20) { TestEnvironment.files(under: spool.appendingPathComponent("queue")).isEmpty }
                }
                #expect(rest.isEmpty)
                #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == files.count })
            }
        } catch let error as FullDisk.Unavailable {
            print("skipped: \(error)")
        }
    }

    @Test func callerOutsideAllowListIsRejectedAndOthersServed() throws {
        let bed = try ProxyTestbed("proxy-allow")
        defer { bed.close() }
        let (proxyPort, received) = (bed.proxyPort, bed.received)
        let proxy = try bed.proxy(try bed.arguments(extra: ["--allow", "MODALITY"]))
        defer { proxy.stop() }
        let file = Peers.dev(Peers.lungCT)[0]
        let stranger = try Peers.storescu([file], port: proxyPort, callingAE: "STRANGER")
        #expect(stranger.status != 0)
        #expect((stranger.stdout + stranger.stderr).contains("Calling AE Title Not Recognized"), "\(stranger.stderr)")
        // A query is not served: no acceptable presentation context.
        let find = try TestEnvironment.run(Peers.tool("findscu"), ["-aet", "MODALITY", "-aec", "BODYPART", "-S", "-k", "0008,0052=STUDY",
                                                                   "127.0.0.1", "\(proxyPort)"])
        #expect(find.status != 0)
        // Garbage on the port, then the next association is served.
        _ = try TestEnvironment.run("/bin/bash", ["-c", "echo garbage > /dev/tcp/127.0.0.1/\(proxyPort)"])
        let echo = try TestEnvironment.run(Peers.tool("echoscu"), ["-aet", "MODALITY", "-aec", "BODYPART", "127.0.0.1", "\(proxyPort)"])
        #expect(echo.status == 0, "\(echo.stderr)")
        let allowed = try Peers.storescu([file], port: proxyPort)
        #expect(Peers.successes(allowed) == 1)
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 })
        #expect(proxy.output.contains("association rejected") && proxy.output.contains("STRANGER"), "\(proxy.output)")
    }

    @Test func fourModalitiesAtOnce() throws {
        let bed = try ProxyTestbed("proxy-four")
        defer { bed.close() }
        let (proxyPort, received, metricsPort) = (bed.proxyPort, bed.received, Peers.freePort())
        let proxy = try bed.proxy(try bed.arguments(extra: ["--metrics-port", "\(metricsPort)"]))
        defer { proxy.stop() }
        let volumes = [Peers.lungCT, Peers.wholeBodyCT, "plotly__dash-vtk@e50bf6d/demos/data/ct_scans", "neurolabusc__dcm_qa_ct/In/GE"]
        let told = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            // ct_scans is JPEG Lossless: -xs proposes it (and uncompressed for the others).
            let result = try? Peers.storescu(Peers.dev(volumes[index]), port: proxyPort, callingAE: "MODALITY\(index)", options: ["-xs"])
            told.withLock { $0 += result.map(Peers.successes) ?? 0 }
        }
        let total = volumes.map { Peers.dev($0).count }.reduce(0, +)
        #expect(told.withLock { $0 } == total)
        #expect(Peers.waitUntil(120) { TestEnvironment.files(under: received).count == total }, "\(proxy.output)")
        let metrics = try TestEnvironment.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(metricsPort)/metrics"]).stdout
        #expect(metrics.contains("bodypart_proxy_received_total \(total)"), "\(metrics)")
        #expect(metrics.contains("bodypart_proxy_associations_total{result=\"accepted\"} 4"))
        let health = try TestEnvironment.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(metricsPort)/healthz"]).stdout
        #expect(health.hasPrefix("ok"))
    }

    @Test func refusedObjectIsQuarantinedListedAndRetried() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-quarantine")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        // This receiver takes uncompressed objects only: a JPEG one can never go.
        var scp = try Peers.storescp(into: received, port: scpPort, acceptAll: false, log: folder.appendingPathComponent("scp.log"))
        let args = try Peers.arguments(folder, destinationPort: scpPort)
        let proxy = try Peers.proxy(args, port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let (jpeg, option) = Peers.compressed[0]
        let plain = Peers.dev(Peers.lungCT)[0]
        #expect(Peers.successes(try Peers.storescu([jpeg], port: proxyPort, options: [option])) == 1)
        #expect(Peers.successes(try Peers.storescu([plain, plain], port: proxyPort)) == 2)
        let spool = ["--spool", folder.appendingPathComponent("spool").path]
        #expect(Peers.waitUntil(30) {
            (try? TestEnvironment.bodypart(["proxy", "status"] + spool).stdout.contains("quarantined 1")) ?? false
        }, "\(proxy.output)")
        let status = try TestEnvironment.bodypart(["proxy", "status"] + spool)
        #expect(status.stdout.contains("accepts neither"), "\(status.stdout)")
        #expect(proxy.output.contains("quarantined"))
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 }, "the plain object still went")
        // The re-sent object was noted.
        #expect(proxy.output.contains("re-sent object"))
        // Now a receiver that takes everything; retry re-queues, the proxy sends it.
        scp.stop()
        scp = try Peers.storescp(into: received, port: scpPort, acceptAll: true, log: folder.appendingPathComponent("scp2.log"))
        defer { scp.stop() }
        let retry = try TestEnvironment.bodypart(["proxy", "retry"] + spool)
        #expect(retry.stdout.contains("re-queued 1"), "\(retry.stdout) \(retry.stderr)")
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == 2 }, "\(proxy.output)")
    }
}

/// Requests no well-behaved modality sends, made with ``RawAssociation``.
@Suite(.serialized) struct ProxyMalformedRequestTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    @Test func mismatchedAndTruncatedStoresAreRefusedAndTheNextIsServed() throws {
        let bed = try ProxyTestbed("proxy-malformed")
        defer { bed.close() }
        let (proxyPort, received, spool) = (bed.proxyPort, bed.received, bed.folder.appendingPathComponent("spool"))
        let proxy = try bed.proxy()
        defer { proxy.stop() }
        let files = Peers.dev(Peers.lungCT)
        let header = try HeaderReader().read(files[0])
        let sopClass = try #require(header.dataset.string(.sopClassUID))
        let dataset = try RawAssociation.dataset(ofFile: files[0])
        #expect(dataset.count > 100_000, "the dataset holds its pixels")

        // The command names another SOP instance than the dataset: Cannot Understand.
        let mismatched = try RawAssociation(port: proxyPort, sopClass: sopClass)
        let status = try mismatched.store(sopClass: sopClass, sopInstance: "1.2.826.0.1.3680043.2.1143.999", dataset: dataset)
        #expect(status == 0xC000, "status \(String(describing: status))")
        // The same association still serves a correct request.
        let sop = try #require(header.dataset.string(.sopInstanceUID))
        #expect(try mismatched.store(sopClass: sopClass, sopInstance: sop, dataset: dataset) == 0x0000)
        try mismatched.release()

        // A dataset cut off mid-stream: no answer, nothing kept, nothing forwarded.
        let cut = try RawAssociation(port: proxyPort, sopClass: sopClass)
        let second = try HeaderReader().read(files[1])
        _ = try cut.store(sopClass: sopClass, sopInstance: try #require(second.dataset.string(.sopInstanceUID)),
                          dataset: try RawAssociation.dataset(ofFile: files[1]), cutAfter: 60_000)
        #expect(Peers.waitUntil(10) { TestEnvironment.files(under: spool.appendingPathComponent("incoming")).isEmpty },
                "the partial dataset was removed")

        // The next modality is served as usual.
        let sent = try Peers.storescu(Array(files[2..<5]), port: proxyPort)
        #expect(Peers.successes(sent) == 3, "\(sent.stderr)")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 4 }, "\(proxy.output)")
        _ = Peers.waitUntil(3) { false }
        let arrived = Set(TestEnvironment.files(under: received).compactMap(Peers.sopInstanceUID))
        #expect(arrived.count == 4 && arrived.contains(sop))
        #expect(!arrived.contains(second.dataset.string(.sopInstanceUID) ?? ""), "the cut-off object never went on")
        #expect(proxy.output.contains("differs from the command's"), "\(proxy.output)")
    }

    @Test func peerKeepingItsConnectionAfterReleaseDoesNotHoldUpOthers() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-linger")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let proxy = try Peers.proxy(try Peers.arguments(folder, destinationPort: scpPort), port: proxyPort,
                                    log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let file = Peers.dev(Peers.lungCT)[0]
        let sopClass = try #require(try HeaderReader().read(file).dataset.string(.sopClassUID))
        let lingering = try RawAssociation(port: proxyPort, sopClass: sopClass)
        try lingering.release(close: false)
        // A caller that connects and says nothing is dropped after 5 s, not the ACSE timeout (30 s).
        let silent = try #require(Peers.connectLoopback(proxyPort))
        defer { close(silent) }
        // The next association is served while both connections are still open (echoscu gives up after 10 s).
        let echo = try TestEnvironment.run(Peers.tool("echoscu"), ["-to", "10", "-ta", "10", "-aet", "MODALITY", "-aec", "BODYPART",
                                                                   "127.0.0.1", "\(proxyPort)"])
        #expect(echo.status == 0, "\(echo.stderr)\n\(proxy.output)")
        withExtendedLifetime(lingering) {}
    }

    @Test func objectSentAgainAfterARestartIsNotedAsResent() throws {
        let bed = try ProxyTestbed("proxy-resent-restart")
        defer { bed.close() }
        let (folder, proxyPort, received, arguments) = (bed.folder, bed.proxyPort, bed.received, bed.arguments)
        let file = Peers.dev(Peers.lungCT)[0]
        let first = try Peers.proxy(arguments, port: proxyPort, log: folder.appendingPathComponent("first.log"))
        #expect(Peers.successes(try Peers.storescu([file], port: proxyPort)) == 1)
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: received).count == 1 })
        first.stop()
        #expect(!first.output.contains("re-sent object"))
        let second = try Peers.proxy(arguments, port: proxyPort, log: folder.appendingPathComponent("second.log"))
        defer { second.stop() }
        #expect(Peers.successes(try Peers.storescu([file], port: proxyPort)) == 1)
        let queue = folder.appendingPathComponent("spool/queue")
        #expect(Peers.waitUntil(30) { TestEnvironment.files(under: queue).isEmpty }, "forwarded again")
        #expect(second.output.contains("re-sent object"), "\(second.output)")
    }
}
