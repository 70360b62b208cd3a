import BodypartTesting
import DicomCore
import DicomIO
import DicomNet
import Foundation
import Synchronization
import Testing

/// DicomNet's storage SCP and SCU against each other and against DCMTK's
/// own tools, on loopback ports chosen free by the test.
@Suite(.serialized) struct StorageTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static let file = Peers.dev(Peers.lungCT)[0]

    @Test func scuSendsToScpAndTheHandlerDecidesTheStatus() throws {
        let folder = try TestEnvironment.temporaryFolder("dicomnet-store")
        defer { TestEnvironment.remove(folder) }
        let received = Mutex<[StorageSCP.Request]>([])
        let scp = StorageSCP(
            onStore: { request in
                received.withLock { $0.append(request) }
                unlink(request.path)
                // The second object is refused, as a full spool would.
                return received.withLock { $0.count } == 1 ? .success : .outOfResources
            }, onEvent: { _, _, _, _, _ in })
        let port = Peers.freePort()
        try scp.start(StorageSCP.Settings(port: port, aeTitle: "NETTEST", incomingFolder: folder.path))
        defer { scp.stop(wait: 5) }
        let peer = DicomPeer(aeTitle: "NETTEST", host: "127.0.0.1", port: port)
        try VerificationSCU.echo(peer, settings: AssociationSettings(aeTitle: "SENDER"))
        let scu = StorageSCU(peer: peer, settings: AssociationSettings(aeTitle: "SENDER"))
        let object = try DicomObject(path: Self.file)
        let header = object.header(including: { $0 == .sopClassUID || $0 == .sopInstanceUID })
        try scu.connect(adding: header.dataset.string(.sopClassUID) ?? "", transferSyntax: header.transferSyntaxUID)
        #expect(scu.store(object) == .status(.success))
        #expect(scu.store(object) == .status(.outOfResources))
        scu.release()
        let requests = received.withLock { $0 }
        #expect(requests.count == 2)
        #expect(requests.first?.callingAE == "SENDER")
        #expect(requests.first?.sopInstanceUID == header.dataset.string(.sopInstanceUID))
    }

    @Test func echoToAClosedPortIsAnAssociationError() throws {
        let peer = DicomPeer(aeTitle: "NOBODY", host: "127.0.0.1", port: Peers.freePort())
        #expect {
            try VerificationSCU.echo(peer, settings: AssociationSettings(acseTimeout: 5))
        } throws: { error in
            guard case .association(let name, _) = error as? DicomNetError else { return false }
            return name == peer.description
        }
    }

    @Test func aTakenPortIsAListenError() throws {
        let folder = try TestEnvironment.temporaryFolder("dicomnet-listen")
        defer { TestEnvironment.remove(folder) }
        let port = Peers.freePort()
        let first = StorageSCP(onStore: { _ in .success }, onEvent: { _, _, _, _, _ in })
        try first.start(StorageSCP.Settings(port: port, aeTitle: "A", incomingFolder: folder.path))
        defer { first.stop(wait: 1) }
        let second = StorageSCP(onStore: { _ in .success }, onEvent: { _, _, _, _, _ in })
        #expect(throws: DicomNetError.self) {
            try second.start(StorageSCP.Settings(port: port, aeTitle: "B", incomingFolder: folder.path))
        }
    }
}
