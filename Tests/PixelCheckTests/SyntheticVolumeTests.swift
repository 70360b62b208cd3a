import PixelCheck
import Testing

/// The estimator on synthetic volumes (ellipse phantoms), and the clear
/// abstentions: single slice, localizer, non-axial, mixed orientations, non-CT.
@Suite struct SyntheticVolumeTests {
    typealias P = SyntheticPhantom

    @Test func eachPhantomSliceLooksLikeItsRegion() {
        let cases: [(SliceGrid, BodyRegion)] = [(P.head, .head), (P.chest, .chest), (P.abdomen, .abdomen), (P.pelvis, .pelvis), (P.legs, .legs)]
        for (grid, region) in cases {
            let scores = RegionScorer.scores(SliceFeatures(grid))
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            #expect(BodyRegion(rawValue: best) == region, "\(region): \(scores)")
        }
    }

    @Test(arguments: [
        ([(P.head, 15)], "HEAD"),
        ([(P.chest, 30)], "CHEST"),
        ([(P.chest, 30), (P.abdomen, 20), (P.pelvis, 15)], "CHESTABDPELVIS"),
        ([(P.abdomen, 20), (P.pelvis, 15)], "ABDOMENPELVIS"),
        ([(P.head, 15), (P.neck, 10), (P.chest, 30), (P.abdomen, 20), (P.pelvis, 15), (P.legs, 20)], "WHOLEBODY"),
        ([(P.chest, 30), (P.abdomen, 3)], "CHEST"),
    ])
    func volumes(_ runs: [(SliceGrid, Int)], expected: String) {
        let result = VolumeEstimator().estimate(P.volume(runs), series: "1.2.3")
        #expect(result.bodyPart == expected, "\(result.regions.map { ($0.region, $0.slices) })")
        #expect(result.reason == nil)
        #expect(result.confidence >= 0.5)
    }

    @Test func slicesInAnyOrderGiveTheSameAnswer() {
        let slices = P.volume([(P.chest, 20), (P.abdomen, 15)])
        let a = VolumeEstimator().estimate(slices, series: "x")
        let b = VolumeEstimator().estimate(slices.reversed(), series: "x")
        #expect(a.bodyPart == b.bodyPart && a.range == b.range)
    }

    @Test func singleSliceAbstainsWithItsRegion() {
        let result = VolumeEstimator().estimate(P.volume([(P.chest, 1)]), series: "x")
        #expect(result.bodyPart == nil)
        #expect(result.reason?.contains("1 slice") == true)
        #expect(result.range?.from == .chest)
    }

    @Test func emptyAndBlankSlicesAbstain() {
        #expect(VolumeEstimator().estimate([], series: "x").reason != nil)
        let blank = SliceGrid(width: 64, height: 64, cellSize: 8, body: .init(repeating: 0, count: 4096),
                              lung: .init(repeating: 0, count: 4096), bone: .init(repeating: 0, count: 4096))
        let slices = (0..<20).map { VolumeEstimator.Slice(z: Double(-$0 * 10), features: SliceFeatures(blank)) }
        let result = VolumeEstimator().estimate(slices, series: "x")
        #expect(result.bodyPart == nil, "nothing in the field of view: \(result.confidence)")
    }

    static func headers(_ count: Int, modality: String = "CT", imageType: [String] = ["ORIGINAL", "PRIMARY", "AXIAL"],
                        row: Vector3 = Vector3(1, 0, 0), column: Vector3 = Vector3(0, 1, 0)) -> [SliceHeader] {
        (0..<count).map {
            SliceHeader(path: "/nonexistent/\($0).dcm", seriesInstanceUID: "1.2.3", modality: modality, imageType: imageType,
                        position: Vector3(0, 0, Double(-$0 * 5)), rowDirection: row, columnDirection: column)
        }
    }

    static func check(_ slices: [SliceHeader]) -> PixelCheckResult {
        PixelChecker(jobs: 2).check(PixelSeries(studyInstanceUID: "1", seriesInstanceUID: "1.2.3", slices: slices))
    }

    @Test func localizerAbstains() {
        let result = Self.check(Self.headers(2, imageType: ["ORIGINAL", "PRIMARY", "LOCALIZER"]))
        #expect(result.bodyPart == nil && result.reason?.contains("localizer") == true)
    }

    @Test func nonAxialAbstains() {
        let sagittal = Self.check(Self.headers(20, row: Vector3(0, 1, 0), column: Vector3(0, 0, -1)))
        #expect(sagittal.bodyPart == nil && sagittal.reason?.contains("not axial") == true, "\(sagittal.reason ?? "")")
        let coronal = Self.check(Self.headers(20, row: Vector3(1, 0, 0), column: Vector3(0, 0, -1)))
        #expect(coronal.reason?.contains("not axial") == true)
    }

    @Test func mixedOrientationsAbstain() {
        let mixed = Self.headers(10) + Self.headers(10, row: Vector3(1, 0, 0), column: Vector3(0, 0, -1))
        let result = Self.check(mixed)
        #expect(result.bodyPart == nil && result.reason?.contains("mixed orientations") == true, "\(result.reason ?? "")")
    }

    @Test func nonCTAbstains() {
        let result = Self.check(Self.headers(20, modality: "MR"))
        #expect(result.bodyPart == nil && result.reason?.contains("CT Hounsfield units only") == true)
    }

    @Test func unreadableSlicesAbstainWithTheError() {
        let result = Self.check(Self.headers(5))
        #expect(result.bodyPart == nil)
        #expect(result.reason?.contains("/nonexistent/") == true, "\(result.reason ?? "")")
    }
}
