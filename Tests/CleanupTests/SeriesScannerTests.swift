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

    /// The one series aggregation (`SeriesMetadata.Accumulator`, used by the
    /// scan) keeps, per keyword, the most frequent value (ties: the smallest),
    /// and the z extent instead of the per-slice position, whatever the order
    /// of the instances; `SeriesMetadata(instances:)` is the same aggregation.
    @Test func accumulatorKeepsTheMostFrequentValueInAnyOrder() throws {
        let volume = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk@46b4801/demos/data/ct_whole_body")
        let headers = try TestEnvironment.files(under: volume).map { try HeaderReader().read($0) }
        #expect(headers.count >= 60)
        let instances = headers.map(\.classifierAttributes)
        // The rule written out: count every trimmed non-empty value.
        var counts: [String: [String: Int]] = [:]
        var zs: [Double] = []
        for instance in instances {
            for (key, value) in instance {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                if key == "ImagePositionPatient" {
                    zs.append(Double(trimmed.split(separator: "\\")[2].trimmingCharacters(in: .whitespaces))!)
                } else {
                    counts[key, default: [:]][trimmed, default: 0] += 1
                }
            }
        }
        var want: [String: String] = counts.mapValues { values in
            values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }[0].key
        }
        want[SeriesMetadata.zExtentKey] = String(format: "%.1f", zs.max()! - zs.min()!)
        #expect(SeriesMetadata(instances: instances).attributes == want)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            var accumulator = SeriesMetadata.Accumulator()
            for attributes in instances.shuffled(using: &generator) { accumulator.add(attributes) }
            #expect(accumulator.metadata.attributes == want)
            #expect(accumulator.metadata.instanceCount == instances.count)
        }
    }
}
