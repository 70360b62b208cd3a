import ArgumentParser
import DicomIO
import Foundation
import PixelCheck

/// `bodypart-bench pixel`: seconds per series of the pixel check against the
/// header-only classification (`bodypart classify`) of the same series, on
/// the complete CT volumes of dicom-dev; and the estimate alone on a
/// 500-slice series.
struct PixelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixel",
        abstract: "Pixel check seconds per series vs header-only classify, on the four complete CT volumes."
    )

    @Option(help: "dicom-dev/files folder holding the volumes.")
    var files: String

    @Option(help: "The bodypart binary (release build).")
    var bodypart: String

    @Option(help: "Timed runs per case; the median is reported.")
    var runs = 3

    static let volumes = [
        "plotly__dash-vtk@46b4801/demos/data/ct_whole_body", "plotly__dash-vtk@e50bf6d/demos/data/ct_scans",
        "plotly__dash-vtk/demos/data/ct_lung", "neurolabusc__dcm_qa_ct/In/GE",
    ]

    func run() throws {
        try Dcmtk.setUp(privateDictionary: nil)
        print("## Pixel check vs header-only classify, per series (median of \(runs) runs, warm cache)")
        print("machine: \(Machine.description); CPUs allowed: \(Machine.allowedCPUs)\n")
        print("| series | slices | body part | in process, 1 job: s | of which estimate: ms | `bodypart pixelcheck`: s | `bodypart classify`: s | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        var allFeatures: [VolumeEstimator.Slice] = []
        for volume in Self.volumes {
            let folder = "\(files)/\(volume)"
            guard let series = PixelSeriesScanner.scan([folder]).series.first else { throw BenchError("no series in \(folder)") }
            var result: PixelCheckResult?
            let inProcess = median { result = PixelChecker(jobs: 1).check(series) }
            let slices = result?.perSlice.map { VolumeEstimator.Slice(z: $0.z, features: $0.features) } ?? []
            allFeatures += slices
            let estimate = median { _ = VolumeEstimator().estimate(slices, series: "x") }
            let pixel = try median { try tool(["pixelcheck", folder, "--jobs", "1"]) }
            let classify = try median { try tool(["classify", folder]) }
            print("| \(volume.split(separator: "/").last!) | \(series.slices.count) | \(result?.bodyPart ?? "-") | "
                + "\(Format.fixed(inProcess, 3)) | \(Format.fixed(estimate * 1000, 2)) | \(Format.fixed(pixel, 3)) | "
                + "\(Format.fixed(classify, 3)) | \(Format.fixed(pixel / classify, 1))× |")
        }
        // 500 slices: the measured slices repeated, 2 mm apart.
        let big = (0..<500).map { i in VolumeEstimator.Slice(z: Double(-2 * i), features: allFeatures[i % allFeatures.count].features) }
        let cpuStart = Machine.cpuSeconds()
        let estimate500 = median { _ = VolumeEstimator().estimate(big, series: "x") }
        let cpu = (Machine.cpuSeconds() - cpuStart) / Double(runs)
        print("\nestimate alone, 500 slices (features given): \(Format.fixed(estimate500 * 1000, 2)) ms wall, "
            + "\(Format.fixed(cpu * 1000, 2)) ms CPU")
        // After reading: HU grid and measurements of decoded 512² slices, scaled to 500 slices.
        let folder = "\(files)/\(Self.volumes[0])"
        let decoded = try PixelSeriesScanner.scan([folder]).series[0].slices.map { try PixelReader().read($0.path) }
        let reduce = median { () -> Void in
            for p in decoded {
                let grid = SliceGrid(values: p.frame(0), rows: p.rows, columns: p.columns, slope: 1, intercept: -1024,
                                     spacing: (0.98, 0.98))
                _ = SliceFeatures(grid)
            }
        }
        print("after decoding, per 500 slices of 512²: HU grid + measurements \(Format.fixed(reduce / Double(decoded.count) * 500 * 1000, 1)) ms "
            + "+ estimate \(Format.fixed(estimate500 * 1000, 2)) ms (one thread)")
        print("ratio: `bodypart pixelcheck` over `bodypart classify` wall seconds, both whole processes (start, "
            + "model or codec set-up, read, answer); pixelcheck with --jobs 1.")
    }

    /// Median wall seconds of `runs` runs of `body` (or the seconds it returns).
    func median(_ body: () throws -> Double) rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<runs { samples.append(try body()) }
        return samples.sorted()[samples.count / 2]
    }

    func median(_ body: () -> Void) -> Double {
        median { () -> Double in
            let start = ContinuousClock.now
            body()
            return (ContinuousClock.now - start).seconds
        }
    }

    /// Runs the bodypart binary and returns its wall seconds.
    func tool(_ arguments: [String]) throws -> Double {
        let outcome = try Subprocess.run([bodypart] + arguments)
        guard outcome.exitStatus == 0 else { throw BenchError("bodypart \(arguments[0]) exited with \(outcome.exitStatus)") }
        return outcome.seconds
    }
}
