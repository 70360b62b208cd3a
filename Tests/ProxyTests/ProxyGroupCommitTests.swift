import BodypartTesting
import DicomIO
import Foundation
import Synchronization
import Testing

/// Group commit (SpoolCommitter): objects of several associations share
/// flushes, and still no object that got Success is lost when the proxy is
/// killed at any point of a round.
@Suite(.serialized) struct ProxyGroupCommitTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// The files storescu's verbose log says were answered Success.
    static func acknowledged(_ output: TestEnvironment.Output) -> [String] {
        var current: String?
        var files: [String] = []
        for line in (output.stdout + output.stderr).split(separator: "\n") {
            if let range = line.range(of: "Sending file: ") {
                current = String(line[range.upperBound...])
            } else if line.contains("Received Store Response (Success)"), let file = current {
                files.append(file)
                current = nil
            }
        }
        return files
    }

    @Test func killNineAtRandomPointsOfGroupCommitsLosesNoSuccess() throws {
        let bed = try ProxyTestbed("proxy-group-kill")
        defer { bed.close() }
        let (folder, proxyPort, received, arguments) = (bed.folder, bed.proxyPort, bed.received, bed.arguments)
        // Four modalities at once, so that rounds hold several objects.
        let volumes = [
            Peers.lungCT, Peers.wholeBodyCT, "plotly__dash-vtk@e50bf6d/demos/data/ct_scans",
            "neurolabusc__dcm_qa_ct/In/GE",
        ]
        var acknowledged: Set<String> = []
        var sent = 0
        for trial in 0..<5 {
            let proxy = try Peers.proxy(
                arguments, port: proxyPort, log: folder.appendingPathComponent("proxy\(trial).log"))
            let outputs = Mutex<[TestEnvironment.Output?]>([])
            let senders = volumes.enumerated().map { index, volume in
                Thread {
                    let result = try? Peers.storescu(
                        Peers.dev(volume), port: proxyPort, callingAE: "MODALITY\(index)", options: ["-xs"])
                    outputs.withLock { $0.append(result) }
                }
            }
            senders.forEach { $0.start() }
            // A random moment of the stream: rounds are a few milliseconds long, so this lands in one.
            usleep(UInt32.random(in: 200_000...1_200_000))
            proxy.kill9()
            #expect(Peers.waitUntil(60) { outputs.withLock { $0.count } == volumes.count })
            let told = outputs.withLock { $0.compactMap { $0 }.flatMap(ProxyGroupCommitTests.acknowledged) }
            sent += told.count
            acknowledged.formUnion(told.compactMap(Peers.sopInstanceUID))
        }
        #expect(sent > 0, "objects were answered Success before the kills")
        // A clean restart delivers every object any sender was told Success for.
        let last = try Peers.proxy(arguments, port: proxyPort, log: folder.appendingPathComponent("last.log"))
        defer { last.stop() }
        #expect(
            Peers.waitUntil(120) { acknowledged.isSubset(of: Set(Peers.bySOPInstance(received).keys)) },
            "missing \(acknowledged.subtracting(Peers.bySOPInstance(received).keys).count) of \(acknowledged.count)\n\(last.output)"
        )
        // Nothing half-written was queued: every delivered object is readable.
        _ = Peers.waitUntil(30) { TestEnvironment.files(under: folder.appendingPathComponent("spool/queue")).isEmpty }
        #expect(
            TestEnvironment.files(under: folder.appendingPathComponent("spool/quarantine")).isEmpty, "\(last.output)")
    }
}
