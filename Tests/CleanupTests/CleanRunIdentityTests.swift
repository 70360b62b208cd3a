import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup

/// `clean` records each series' PatientID and AccessionNumber with its
/// decision (audit schema v5), so the console finds a series by them.
@Suite struct CleanRunIdentityTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    @Test func decisionsCarryPatientAndAccession() throws {
        let folder = try TestEnvironment.temporaryFolder("clean-identity")
        defer { TestEnvironment.remove(folder) }
        let volume = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk@46b4801/demos/data/ct_whole_body")
        let header = try HeaderReader().read(try #require(TestEnvironment.files(under: volume).first))
        let patient = try #require(header.dataset.string(.patientID))
        let accession = try #require(header.dataset.string(.accessionNumber))
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let summary = try CleanRun(options: CleanRunTests.options([volume.path], .dryRun), store: store).run()
        let decisions = try store.decisions(filter: DecisionFilter(runID: summary.runID))
        #expect(decisions.count == 1)
        #expect(decisions.first?.patientID == patient)
        #expect(decisions.first?.accessionNumber == accession)
        #expect(try store.recentDecisions(filter: DecisionFilter(accessionNumber: accession), limit: 5).count == 1)
        #expect(try store.recentDecisions(filter: DecisionFilter(patientID: patient + "X"), limit: 5).isEmpty)
    }
}
