import BodypartTesting
import DicomCore
import DicomIO
import DicomNet
import Foundation
import Testing

/// C-ECHO, C-FIND and C-MOVE SCU against a real archive: Debian's Orthanc
/// started by the test, loaded with dicom-dev files through its REST API,
/// knowing a DCMTK storescp as the move destination "MOVEDEST".
@Suite(.serialized) struct QueryRetrieveTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// Five slices of one chest CT study, and three files of other patients.
    static let lung = Array(Peers.dev(Peers.lungCT).prefix(5))
    static let others = ["dev-0001-ct.dcm", "dev-0155-mr.dcm", "dev-0214-cr.dcm"].map {
        TestEnvironment.samples.appendingPathComponent($0).path
    }

    /// An Orthanc holding the files above, a storescp as MOVEDEST, and the SCU pointed at Orthanc.
    final class Archive {
        let folder: URL
        let orthanc: Orthanc
        let storescp: Peers.Background
        let received: URL
        let scu: QueryRetrieveSCU

        init() throws {
            folder = try TestEnvironment.temporaryFolder("dicomnet-qr")
            let movePort = Peers.freePort()
            received = folder.appendingPathComponent("moved")
            storescp = try Peers.storescp(
                into: received, port: movePort, options: ["-aet", "MOVEDEST"],
                log: folder.appendingPathComponent("storescp.log"))
            orthanc = try Orthanc(in: folder, modalities: ["movedest": .init(aeTitle: "MOVEDEST", port: movePort)])
            let uploaded = try orthanc.upload(QueryRetrieveTests.lung + QueryRetrieveTests.others)
            #expect(uploaded == QueryRetrieveTests.lung.count + QueryRetrieveTests.others.count, "\(orthanc.output)")
            scu = QueryRetrieveSCU(
                peer: DicomPeer(aeTitle: "ORTHANC", host: "127.0.0.1", port: orthanc.dicomPort),
                settings: AssociationSettings(aeTitle: "BODYPART", acseTimeout: 10, dimseTimeout: 30))
        }

        deinit {
            orthanc.stop()
            storescp.stop()
            TestEnvironment.remove(folder)
        }
    }

    static func header(_ file: String) throws -> DataSet { try HeaderReader().read(file).dataset }

    @Test(.enabled(if: Orthanc.executable != nil, "Orthanc is not installed (make test-deps)"))
    func echoAndStudyLevelFindByPatient() throws {
        let archive = try Archive()
        try archive.scu.echo()
        let lung = try Self.header(Self.lung[0])
        let matches = try archive.scu.find(
            level: .study,
            keys: [
                "PatientID": lung.string(Tag(0x0010, 0x0020)) ?? "", "StudyInstanceUID": "", "StudyDate": "",
                "StudyDescription": "",
                "ModalitiesInStudy": "", "NumberOfStudyRelatedInstances": "",
            ])
        #expect(matches.count == 1)
        let match = try #require(matches.first)
        #expect(match["StudyInstanceUID"] == lung.string(.studyInstanceUID))
        #expect(match["StudyDate"] == lung.string(Tag(0x0008, 0x0020)))
        #expect(match["StudyDescription"] == lung.string(.studyDescription))
        #expect(match["ModalitiesInStudy"] == "CT")
        #expect(match["NumberOfStudyRelatedInstances"] == "\(Self.lung.count)")
        // A wildcard on the patient finds every study of the archive.
        let all = try archive.scu.find(level: .study, keys: ["PatientID": "*", "StudyInstanceUID": ""])
        let expected = Set(try (Self.lung + Self.others).map { try Self.header($0).string(.studyInstanceUID) ?? "" })
        #expect(Set(all.compactMap { $0["StudyInstanceUID"] }) == expected)
    }

    @Test(.enabled(if: Orthanc.executable != nil, "Orthanc is not installed (make test-deps)"))
    func seriesLevelFindWithinAStudy() throws {
        let archive = try Archive()
        let mr = try Self.header(Self.others[1])
        let matches = try archive.scu.find(
            level: .series,
            keys: [
                "StudyInstanceUID": mr.string(.studyInstanceUID) ?? "", "SeriesInstanceUID": "", "Modality": "",
                "SeriesDescription": "", "BodyPartExamined": "",
            ])
        #expect(matches.map { $0["SeriesInstanceUID"] } == [mr.string(.seriesInstanceUID)])
        #expect(matches.first?["Modality"] == "MR")
        #expect(matches.first?["SeriesDescription"] == (mr.string(.seriesDescription) ?? ""))
    }

    @Test(.enabled(if: Orthanc.executable != nil, "Orthanc is not installed (make test-deps)"))
    func moveSendsTheStudyToTheNamedAE() throws {
        let archive = try Archive()
        let lung = try Self.header(Self.lung[0])
        let result = try archive.scu.move(
            level: .study, keys: ["StudyInstanceUID": lung.string(.studyInstanceUID) ?? ""],
            to: "MOVEDEST")
        #expect(result.status == .success)
        #expect(result.completed == Self.lung.count)
        #expect(result.failed == 0)
        // The destination holds exactly that study's instances.
        let moved = Set(Peers.bySOPInstance(archive.received).keys)
        let sent = Set(Self.lung.compactMap(Peers.sopInstanceUID))
        #expect(moved == sent, "\(archive.storescp.output)")
        // Series level: one series of another patient.
        let mr = try Self.header(Self.others[1])
        let series = try archive.scu.move(
            level: .series,
            keys: [
                "StudyInstanceUID": mr.string(.studyInstanceUID) ?? "",
                "SeriesInstanceUID": mr.string(.seriesInstanceUID) ?? "",
            ], to: "MOVEDEST")
        #expect(series.completed == 1)
        #expect(Peers.waitUntil(5) { Peers.bySOPInstance(archive.received).count == sent.count + 1 })
    }

    @Test(.enabled(if: Orthanc.executable != nil, "Orthanc is not installed (make test-deps)"))
    func refusalsAndFailuresAreTyped() throws {
        let archive = try Archive()
        // A destination the archive does not know: a failure status, nothing moved.
        #expect {
            _ = try archive.scu.move(level: .study, keys: ["PatientID": "*"], to: "NOBODY")
        } throws: { error in
            guard case .refused(_, _, let status, _) = error as? DicomNetError else { return false }
            return status.kind == .failure
        }
        #expect(Peers.bySOPInstance(archive.received).isEmpty)
        // A keyword DCMTK does not know never reaches the network.
        #expect {
            _ = try archive.scu.find(level: .study, keys: ["PatientIdentifier": "X"])
        } throws: { error in
            guard case .invalidRequest(let text) = error as? DicomNetError else { return false }
            return text.contains("PatientIdentifier")
        }
        // The archive gone: no association.
        archive.orthanc.stop()
        #expect {
            _ = try archive.scu.find(level: .study, keys: ["PatientID": "*"])
        } throws: { error in
            guard case .association = error as? DicomNetError else { return false }
            return true
        }
    }
}
