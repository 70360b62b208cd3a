import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

/// The proxy end to end with real peers: storescu → bodypart proxy → storescp.
@Suite(.serialized) struct ProxyForwardingTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// The elements `clean` writes and the proxy must write the same way.
    /// Left out: the private block's time stamp, and the confidence and the
    /// reason text quoting it, since the proxy decides from the first
    /// instance and clean from the whole series (same decision, a slightly
    /// different score).
    static func enrichment(_ file: String) throws -> [DataElement] {
        let header = try HeaderReader().read(file)
        return header.dataset.elements.filter { element in
            element.tag == .bodyPartExamined || element.tag == .anatomicRegionSequence
                || (element.tag.group == 0x0077 && ![.DT, .DS, .LT].contains(element.vr))
        }
    }

    @Test func forwardsEveryObjectEditedLikeCleanWithPixelsUntouched() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-forward")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let scp = try Peers.storescp(into: folder.appendingPathComponent("recv"), port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let proxy = try Peers.proxy(["--destination", "STORESCP@127.0.0.1:\(scpPort)", "--spool", folder.appendingPathComponent("spool").path,
                                     "--audit", folder.appendingPathComponent("audit.sqlite").path, "--allow", "MODALITY",
                                     "--config", try Peers.config(in: folder)],
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        // A series the metadata model decides by itself (WHOLEBODY, stored THYROID kept): clean makes no
        // pixel check for it, so its edits are the proxy's at arrival (ct_lung is now left to the pixels).
        let plain = Peers.dev(Peers.wholeBodyCT)
        let sent = try Peers.storescu(plain, port: proxyPort)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(Peers.successes(sent) == plain.count)
        // Compressed objects are accepted as offered (one association each, as storescu proposes one syntax).
        for (file, option) in Peers.compressed {
            let one = try Peers.storescu([file], port: proxyPort, options: [option])
            #expect(Peers.successes(one) == 1, "\(file): \(one.stdout) \(one.stderr)")
        }
        let files = plain + Peers.compressed.map(\.file)
        let received = folder.appendingPathComponent("recv")
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == files.count }, "\(proxy.output)")
        proxy.stop()
        #expect(proxy.process.terminationStatus == 0, "\(proxy.output)")

        // What clean writes for the same files.
        let cleaned = folder.appendingPathComponent("clean")
        let staging = folder.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        for (index, file) in files.enumerated() {
            try FileManager.default.copyItem(atPath: file, toPath: staging.appendingPathComponent("\(index).dcm").path)
        }
        let clean = try TestEnvironment.bodypart(["clean", staging.path, "--out", cleaned.path, "--audit",
                                                  folder.appendingPathComponent("clean.sqlite").path])
        #expect(clean.status == 0 || clean.status == 1, "\(clean.stderr)")
        let byUID = Peers.bySOPInstance(received)
        let cleanByUID = Peers.bySOPInstance(cleaned)
        for file in files {
            let uid = try #require(Peers.sopInstanceUID(file))
            let arrived = try #require(byUID[uid], "\(file) did not arrive")
            let source = try DicomObject(path: file)
            let copy = try DicomObject(path: arrived)
            #expect(copy.pixelDataBytes == source.pixelDataBytes, "pixel data of \(file)")
            #expect(try HeaderReader().read(arrived).transferSyntaxUID == HeaderReader().read(file).transferSyntaxUID,
                    "transfer syntax kept for \(file)")
            if let reference = cleanByUID[uid] {
                #expect(try Self.enrichment(arrived) == Self.enrichment(reference), "enrichment of \(file) as clean writes it")
            }
        }
        // One decision per series, in the audit and in the spool.
        let summary = try TestEnvironment.bodypart(["audit", "summary", "--audit", folder.appendingPathComponent("audit.sqlite").path])
        #expect(summary.stdout.contains("proxy"), "\(summary.stdout)")
        let series = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("spool/series").path)
        #expect(series.count == Set(files.compactMap { try? HeaderReader().read($0).dataset.string(.seriesInstanceUID) }).count)
    }

    @Test func receiverDownThenUpEveryObjectArrives() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-down")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let spool = folder.appendingPathComponent("spool")
        let proxy = try Peers.proxy(["--destination", "STORESCP@127.0.0.1:\(scpPort)", "--spool", spool.path,
                                     "--audit", folder.appendingPathComponent("audit.sqlite").path, "--config", try Peers.config(in: folder)],
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let files = Peers.dev(Peers.lungCT)
        let sent = try Peers.storescu(files, port: proxyPort)
        #expect(Peers.successes(sent) == files.count, "\(sent.stderr)")
        // Every object answered Success is in the spool, while the receiver is down.
        let queued = TestEnvironment.files(under: spool.appendingPathComponent("queue")).filter { $0.hasSuffix(".dcm") }
        #expect(queued.count == files.count)
        let scp = try Peers.storescp(into: folder.appendingPathComponent("recv"), port: scpPort, log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: folder.appendingPathComponent("recv")).count == files.count },
                "\(proxy.output)")
        #expect(Peers.waitUntil(10) {
            TestEnvironment.files(under: spool.appendingPathComponent("queue")).filter { $0.hasSuffix(".dcm") }.isEmpty
        })
        #expect(proxy.output.contains("destination unavailable"))
    }

    @Test func parallelForwardingKeepsEachSeriesInOrderOnOneAssociation() throws {
        let folder = try TestEnvironment.temporaryFolder("proxy-lanes")
        defer { TestEnvironment.remove(folder) }
        let (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        let received = folder.appendingPathComponent("recv")
        // A receiver serving associations in parallel (one child each), logging what it stores.
        let scp = try Peers.storescp(into: received, port: scpPort, options: ["--fork", "-v"], log: folder.appendingPathComponent("scp.log"))
        defer { scp.stop() }
        let proxy = try Peers.proxy(try Peers.arguments(folder, destinationPort: scpPort, extra: ["--forward-associations", "3"]),
                                    port: proxyPort, log: folder.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let series = [Peers.lungCT, "neurolabusc__dcm_qa_ct/In/GE", Peers.wholeBodyCT].map(Peers.dev)
        let files = series.flatMap { $0 }
        #expect(Peers.successes(try Peers.storescu(files, port: proxyPort)) == files.count)
        #expect(Peers.waitUntil(60) { TestEnvironment.files(under: received).count == files.count }, "\(proxy.output)")
        // A forked storescp child may still hold its last log lines (it writes them out when the
        // association ends): wait for one "storing" line per object before reading the order.
        #expect(Peers.waitUntil(30) { scp.output.components(separatedBy: "storing DICOM file: ").count - 1 >= files.count },
                "storescp logged every object: \(scp.output.suffix(2000))")
        let log = scp.output
        // (the port probe that waited for storescp is a connection without an association)
        #expect(log.components(separatedBy: "Association Acknowledged").count - 1 >= 2, "more than one forwarding association: \(log.suffix(2000))")
        // storescp names each file after its SOP Instance UID: the order it stored them, per series,
        // is the order the modality sent them.
        let stored = log.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "storing DICOM file: ") else { return nil }
            return String(line[range.upperBound...].split(separator: "/").last ?? "")
        }
        for volume in series {
            let sent = volume.compactMap(Peers.sopInstanceUID)
            let order = stored.compactMap { name in sent.firstIndex { name.hasSuffix($0) } }
            #expect(order.count == sent.count && order == order.sorted(), "a series arrived out of order: \(order)")
        }
    }

    @Test func killNineMidStreamThenRestartDeliversEverySuccess() throws {
        let bed = try ProxyTestbed("proxy-kill")
        defer { bed.close() }
        let (folder, proxyPort, received, arguments) = (bed.folder, bed.proxyPort, bed.received, bed.arguments)
        let first = try Peers.proxy(arguments, port: proxyPort, log: folder.appendingPathComponent("proxy1.log"))
        let files = Peers.dev(Peers.wholeBodyCT)
        let result = Mutex<TestEnvironment.Output?>(nil)
        let sender = Thread { result.withLock { $0 = try? Peers.storescu(files, port: proxyPort) } }
        sender.start()
        // Kill once some objects are in, mid-stream.
        _ = Peers.waitUntil(30) { TestEnvironment.files(under: received).count >= 5 }
        first.kill9()
        #expect(Peers.waitUntil(60) { result.withLock { $0 != nil } })
        let told = Peers.successes(try #require(result.withLock { $0 }))
        #expect(told < files.count, "the kill came mid-stream")
        let second = try Peers.proxy(arguments, port: proxyPort, log: folder.appendingPathComponent("proxy2.log"))
        defer { second.stop() }
        let expected = Set(files.prefix(told).compactMap(Peers.sopInstanceUID))
        #expect(Peers.waitUntil(60) { expected.isSubset(of: Set(Peers.bySOPInstance(received).keys)) }, "\(second.output)")
        // Same decision for the whole series before and after the restart: identical enrichment.
        let enrichments = Set(try Peers.bySOPInstance(received).values.map { try ProxyForwardingTests.enrichment($0) })
        #expect(enrichments.count == 1)
    }
}

import Synchronization
