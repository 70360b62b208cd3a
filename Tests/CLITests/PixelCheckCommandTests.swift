import BodypartTesting
import Foundation
import Testing

/// End-to-end: the built `bodypart pixelcheck` on real CT volumes and bad input.
@Suite struct PixelCheckCommandTests {
    static let data = TestEnvironment.dicomDevFiles

    @Test func chestAndHeadVolumesAsJSONLines() throws {
        let result = try TestEnvironment.bodypart([
            "pixelcheck", Self.data.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung").path,
            Self.data.appendingPathComponent("neurolabusc__dcm_qa_ct/In/GE").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["bodyPart"] as? String } == ["CHEST", "HEAD"])
        for object in objects {
            #expect(object["seriesInstanceUID"] is String)
            #expect((object["confidence"] as? Double ?? 0) > 0.5)
            let range = try #require(object["range"] as? [String: Any])
            #expect(range["from"] is String && range["zFrom"] is Double)
            #expect(object["slices"] as? Int ?? 0 > 20)
            #expect(object["seconds"] is Double)
            #expect(object["reason"] == nil)
        }
    }

    @Test func tableAndAbstentionForNonCT() throws {
        // An MR file: answered with a reason, not an error.
        let mr = TestEnvironment.samples.appendingPathComponent("dev-0143-mr.dcm").path
        let lung = Self.data.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung").path
        let result = try TestEnvironment.bodypart(["pixelcheck", "--format", "table", lung, mr])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.first?.hasPrefix("SERIES\tBODYPART") == true)
        #expect(rows.contains { $0.contains("\tCHEST\t") })
        #expect(rows.count == 3)
        #expect(rows.contains { $0.contains("\t-\t") && $0.contains("CT Hounsfield units only") })
    }

    @Test func wrongUseAndMissingInput() throws {
        let usage = try TestEnvironment.bodypart(["pixelcheck"])
        #expect(usage.status == 64)
        let folder = try TestEnvironment.temporaryFolder("pixel-empty")
        defer { TestEnvironment.remove(folder) }
        let empty = try TestEnvironment.bodypart(["pixelcheck", folder.path])
        #expect(empty.status == 66)
        try Data("not dicom".utf8).write(to: folder.appendingPathComponent("x.dcm"))
        let bad = try TestEnvironment.bodypart(["pixelcheck", folder.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("x.dcm: not a DICOM file"))
    }
}
