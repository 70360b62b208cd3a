import BodypartTesting
import DicomIO
import Foundation
import PixelCheck
import Testing

/// The four complete CT volumes of dicom-dev. They were used to develop the
/// thresholds and are also the tests (no held-out data): body part exact,
/// covered regions exact, zFrom/zTo within 25 mm (under 3 slice spacings) of
/// the figures in docs/pixelcheck.md.
@Suite struct GoldenVolumeTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var folder: String
        var bodyPart: String
        var from: BodyRegion
        var to: BodyRegion
        var zFrom: Double
        var zTo: Double
        var testDescription: String { folder }
    }

    static let tolerance = 25.0

    static let volumes: [Expected] = [
        Expected(folder: "plotly__dash-vtk@46b4801/demos/data/ct_whole_body", bodyPart: "CHESTABDPELVIS",
                 from: .chest, to: .pelvis, zFrom: -798, zTo: -1428),
        Expected(folder: "plotly__dash-vtk@e50bf6d/demos/data/ct_scans", bodyPart: "CHEST",
                 from: .chest, to: .chest, zFrom: -61.8, zTo: -291.8),
        Expected(folder: "plotly__dash-vtk/demos/data/ct_lung", bodyPart: "CHEST",
                 from: .chest, to: .chest, zFrom: 296, zTo: 96),
        Expected(folder: "neurolabusc__dcm_qa_ct/In/GE", bodyPart: "HEAD",
                 from: .head, to: .head, zFrom: 110.4, zTo: -33.7),
    ]

    init() throws { try Dcmtk.setUp(privateDictionary: nil) }

    @Test(arguments: volumes)
    func volume(_ expected: Expected) throws {
        let folder = TestEnvironment.dicomDevFiles.appendingPathComponent(expected.folder).path
        let scan = PixelSeriesScanner.scan([folder])
        #expect(scan.failures.isEmpty)
        let series = try #require(scan.series.first)
        #expect(scan.series.count == 1)
        let result = PixelChecker().check(series)
        #expect(result.reason == nil, "\(result.reason ?? "")")
        #expect(result.bodyPart == expected.bodyPart)
        #expect(result.confidence >= 0.6)
        let range = try #require(result.range)
        #expect(range.from == expected.from && range.to == expected.to, "\(range)")
        #expect(abs(range.zFrom - expected.zFrom) <= Self.tolerance, "zFrom \(range.zFrom)")
        #expect(abs(range.zTo - expected.zTo) <= Self.tolerance, "zTo \(range.zTo)")
        #expect(result.slices == series.slices.count)
    }

    /// Rescale tags removed from a real chest volume stored unsigned (air at
    /// 0): the intercept −1024 is inferred, said in a note, and the answer holds.
    @Test func missingRescaleIsInferred() throws {
        let source = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung")
        let folder = try TestEnvironment.temporaryFolder("pixel-rescale")
        defer { TestEnvironment.remove(folder) }
        for path in TestEnvironment.files(under: source) {
            let object = try DicomObject(path: path)
            try object.apply([.remove(.init(0x0028, 0x1052)), .remove(.init(0x0028, 0x1053))])
            let name = URL(fileURLWithPath: path).lastPathComponent
            try AtomicWriter.write(object, to: folder.appendingPathComponent(name).path, permissions: 0o644)
        }
        let series = try #require(PixelSeriesScanner.scan([folder.path]).series.first)
        #expect(series.slices.allSatisfy { $0.rescaleIntercept == nil && $0.rescaleSlope == nil })
        let result = PixelChecker().check(series)
        #expect(result.bodyPart == "CHEST")
        #expect(result.notes.contains { $0.contains("intercept −1024 inferred") }, "\(result.notes)")
    }
}
