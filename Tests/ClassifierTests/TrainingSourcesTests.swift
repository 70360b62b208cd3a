import Foundation
import Testing
@testable import Classifier

/// The data files training starts from: the evaluation sets whose series must stay unseen.
@Suite("TrainingSources")
struct TrainingSourcesTests {
    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bp-sources-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("excluded series are read from the series_instance_uid column; a CSV without it is refused by name")
    func excludedSeries() throws {
        let good = try write("series_id,series_instance_uid,label\na,1.2.3,CHEST\nb,,HEAD\nc,1.2.4,KNEE\n")
        #expect(try TrainingSources.excludedSeries([good]) == ["1.2.3", "1.2.4"])
        let bad = try write("series_id,label\na,CHEST\n")
        #expect {
            try TrainingSources.excludedSeries([good, bad])
        } throws: { error in
            "\(error)" == "\(bad): no series_instance_uid column to exclude series by"
        }
    }

    @Test("the trusted labels with their summary line; an unreadable file is a typed error")
    func trusted() throws {
        let labels = Fixtures.sharedData.appendingPathComponent("idc-labels/labels.csv").path
        let set = try TrainingSources.trusted(labels: labels, idc: nil, radlex: nil, taxonomy: Fixtures.taxonomy, exclude: [])
        #expect(set.examples.count > 2000)
        #expect(set.summary.contains("kinds kept") && set.summary.contains("reserved collections"))
        #expect(throws: TrainingSources.SourceError.self) {
            try TrainingSources.trusted(labels: "/nonexistent/labels.csv", idc: nil, radlex: nil, taxonomy: Fixtures.taxonomy, exclude: [])
        }
    }
}
