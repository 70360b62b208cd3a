import BodypartTesting
import DicomCore
import DicomIO
import DicomNet
import Foundation
import Synchronization
import Testing

/// Several storage SCPs in one process, as the proxy tests run them side by side: DCMTK takes
/// the socket of an accepted connection from one process-wide global (`dcmExternalSocketHandle`),
/// so each SCP must hand its own socket over without another SCP's hand-over in between. A
/// crossed hand-over serves one caller on two associations (the socket closed twice, its number
/// reused by whatever opened a file meanwhile) and leaves the other caller unanswered.
@Suite struct ConcurrentListenersTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// One listener, its own callers' AE titles and what it heard.
    final class Listener: Sendable {
        let index: Int
        let scp: StorageSCP
        let port: UInt16
        /// Calling AE titles of the associations it accepted.
        let heard: Heard

        final class Heard: Sendable { let titles = Mutex<[String]>([]) }

        init(index: Int, folder: URL) throws {
            self.index = index
            let heard = Heard()
            self.heard = heard
            let (scp, port) = try Self.started(heard, index: index, folder: folder)
            self.scp = scp
            self.port = port
        }

        var peer: DicomPeer { DicomPeer(aeTitle: "LISTEN\(index)", host: "127.0.0.1", port: port) }

        /// A started SCP and its port. A free port can be taken by a parallel test between the
        /// probe and the listen: another one is tried then, with a new SCP (that race is the test
        /// set-up's, not what this suite tests).
        static func started(_ heard: Heard, index: Int, folder: URL) throws -> (StorageSCP, UInt16) {
            var attempt = 0
            while true {
                attempt += 1
                let scp = makeSCP(heard)
                let port = Peers.freePort()
                do {
                    try scp.start(
                        StorageSCP.Settings(
                            port: port, aeTitle: "LISTEN\(index)", maxAssociations: 16, acseTimeout: 10,
                            incomingFolder: folder.path))
                    return (scp, port)
                } catch {
                    if attempt >= 5 || !"\(error)".contains("Address already in use") { throw error }
                }
            }
        }

        /// An SCP that drops what it receives and notes the calling AE titles it accepts.
        static func makeSCP(_ heard: Heard) -> StorageSCP {
            StorageSCP(
                onStore: { request in
                    unlink(request.path)
                    return .success
                },
                onEvent: { event, _, calling, _, _ in
                    if event == .accepted { heard.titles.withLock { $0.append(calling) } }
                })
        }
    }

    @Test func eachListenerServesItsOwnCallersWhenAssociationsArriveAtOnce() throws {
        let folder = try TestEnvironment.temporaryFolder("dicomnet-concurrent")
        defer { TestEnvironment.remove(folder) }
        let listeners = try (0..<4).map { try Listener(index: $0, folder: folder) }
        defer { listeners.forEach { $0.scp.stop(wait: 5) } }
        let rounds = 40
        let failures = Mutex<[String]>([])
        // Two callers per listener, all at once, each a C-ECHO on an association of its own.
        DispatchQueue.concurrentPerform(iterations: listeners.count * 2) { caller in
            let listener = listeners[caller % listeners.count]
            let settings = AssociationSettings(aeTitle: "CALL\(listener.index)", acseTimeout: 10, dimseTimeout: 10)
            for _ in 0..<rounds {
                do { try VerificationSCU.echo(listener.peer, settings: settings) } catch {
                    failures.withLock { $0.append("\(listener.peer): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        for listener in listeners {
            let heard = listener.heard.titles.withLock { $0 }
            #expect(heard.count == 2 * rounds, "\(listener.peer) accepted \(heard.count) associations")
            #expect(heard.allSatisfy { $0 == "CALL\(listener.index)" }, "\(listener.peer) served \(Set(heard))")
        }
    }

    @Test func listenersStartAndStopWhileOthersAcceptAssociations() throws {
        let folder = try TestEnvironment.temporaryFolder("dicomnet-restart")
        defer { TestEnvironment.remove(folder) }
        let busy = try Listener(index: 9, folder: folder)
        defer { busy.scp.stop(wait: 5) }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            for round in 0..<15 {
                do {
                    if worker == 0 {
                        // Starting a listener sets the same global while the others hand sockets over.
                        let other = try Listener(index: 10 + round, folder: folder)
                        try VerificationSCU.echo(
                            other.peer, settings: AssociationSettings(aeTitle: "CALL\(other.index)", acseTimeout: 10))
                        other.scp.stop(wait: 5)
                    } else {
                        try VerificationSCU.echo(
                            busy.peer, settings: AssociationSettings(aeTitle: "CALL9", acseTimeout: 10))
                    }
                } catch {
                    failures.withLock { $0.append("worker \(worker) round \(round): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(busy.heard.titles.withLock { $0 }.allSatisfy { $0 == "CALL9" })
    }
}
