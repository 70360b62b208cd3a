import BodypartTesting
import Classifier
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup

@Suite struct SeriesScannerTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    @Test func groupsDevFilesIntoLabelledSeries() throws {
        let result = SeriesScanner(jobs: 2).scan(paths: [TestEnvironment.dicomDevFiles.path])
        #expect(result.filesSeen >= 460)
        let labels = try String(contentsOf: TestEnvironment.sharedData.appendingPathComponent("dicom-dev/labels.csv"), encoding: .utf8)
        let labelled = Set(labels.split(separator: "\n").dropFirst().compactMap { line -> String? in
            line.split(separator: ",").last(where: { $0.hasPrefix("1.") || $0.hasPrefix("2.") }).map(String.init)
        })
        let found = Set(result.series.map(\.seriesInstanceUID))
        #expect(labelled.isSubset(of: found) || labelled.subtracting(found).count <= 3,
                "missing: \(labelled.subtracting(found).prefix(5))")
        #expect(result.failures.count <= 5)
        #expect(result.series.map(\.files.count).reduce(0, +) + result.failures.count == result.filesSeen)
    }

    /// The accumulator gives the same metadata as aggregating every instance
    /// at once, whatever the order of the instances.
    @Test func accumulatorMatchesWholeSeriesAggregation() throws {
        let volume = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk@46b4801/demos/data/ct_whole_body")
        let headers = try TestEnvironment.files(under: volume).map { try HeaderReader().read($0) }
        #expect(headers.count >= 60)
        let instances = headers.map(\.classifierAttributes)
        let expected = SeriesMetadata(instances: instances)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            var accumulator = SeriesAccumulator()
            for attributes in instances.shuffled(using: &generator) { accumulator.add(attributes) }
            var got = accumulator.metadata
            var want = expected
            got.attributes["ImagePositionPatient"] = nil
            want.attributes["ImagePositionPatient"] = nil
            #expect(got == want)
            #expect(got.attributes[SeriesMetadata.zExtentKey] != nil)
        }
    }
}
