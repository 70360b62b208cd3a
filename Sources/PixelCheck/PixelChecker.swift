import DicomCore
import DicomIO
import Dispatch
import Foundation
import Synchronization

/// The pixel check of one series: picks the usable slices, reads and
/// decodes them in parallel, reduces each to a grid in HU, measures it, and
/// hands the features to `VolumeEstimator`. Never throws: every problem
/// becomes an abstention with its reason.
public struct PixelChecker: Sendable {
    /// Parallel slice reads.
    public var jobs: Int
    public var estimator = VolumeEstimator()

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.jobs = max(1, jobs)
    }

    /// Checks `series`.
    public func check(_ series: PixelSeries) -> PixelCheckResult {
        let start = ContinuousClock.now
        var result = run(series)
        result.seconds = (ContinuousClock.now - start).seconds
        return result
    }

    private func run(_ series: PixelSeries) -> PixelCheckResult {
        let plan: SeriesGeometry.Plan
        switch SeriesGeometry.plan(series) {
        case .failure(let reason): return .abstain(series.seriesInstanceUID, reason: reason.description, slices: series.slices.count)
        case .success(let p): plan = p
        }
        let outcomes = Mutex<[Int: Result<VolumeEstimator.Slice, AbstainReason>]>([:])
        let noteSet = Mutex<Set<String>>([])
        let count = plan.slices.count
        DispatchQueue.concurrentPerform(iterations: min(jobs, count)) { worker in
            var index = worker
            while index < count {
                let (header, z) = plan.slices[index]
                let outcome = Result { () throws(AbstainReason) -> VolumeEstimator.Slice in
                    let (grid, notes) = try PixelChecker.grid(header)
                    if !notes.isEmpty { noteSet.withLock { $0.formUnion(notes) } }
                    return VolumeEstimator.Slice(z: z, path: header.path, features: SliceFeatures(grid))
                }
                outcomes.withLock { $0[index] = outcome }
                index += jobs
            }
        }
        var slices: [VolumeEstimator.Slice] = []
        var failures: [String] = []
        for (_, outcome) in outcomes.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .success(let s): slices.append(s)
            case .failure(let reason): failures.append(reason.description)
            }
        }
        var notes = plan.notes + noteSet.withLock { $0 }.sorted()
        if slices.isEmpty {
            return .abstain(series.seriesInstanceUID, reason: failures.first ?? "no slice could be read", slices: 0, notes: notes)
        }
        if !failures.isEmpty { notes.append("\(failures.count) slice(s) unreadable, left out: \(failures[0])") }
        return estimator.estimate(slices, series: series.seriesInstanceUID, notes: notes)
    }

    /// Reads one slice and reduces it to a grid in HU; notes what was assumed.
    static func grid(_ header: SliceHeader) throws(AbstainReason) -> (SliceGrid, [String]) {
        let pixels: DecodedPixels
        do { pixels = try PixelReader().read(header.path) } catch { throw AbstainReason(error.description) }
        guard pixels.samplesPerPixel == 1 else { throw AbstainReason("\(header.path): \(pixels.samplesPerPixel) samples per pixel; CT has one") }
        var notes: [String] = []
        let frame = pixels.frame(0)
        var slope = Float(header.rescaleSlope ?? 1), intercept = Float(header.rescaleIntercept ?? 0)
        if header.rescaleSlope == nil || header.rescaleIntercept == nil {
            guard let guessed = RescaleGuess.intercept(frame) else {
                throw AbstainReason("\(header.path): RescaleSlope/RescaleIntercept missing and the stored values do not show air at −1000 or 0; HU unknown")
            }
            (slope, intercept) = (1, guessed)
            notes.append(guessed == 0
                ? "RescaleSlope/RescaleIntercept missing: slope 1, intercept 0 (stored values show air at −1000 HU)"
                : "RescaleSlope/RescaleIntercept missing: slope 1, intercept −1024 inferred (stored values show air at 0)")
        }
        guard slope > 0 else { throw AbstainReason("\(header.path): RescaleSlope \(slope) is not positive") }
        let spacing: (row: Double, column: Double)
        if let s = header.pixelSpacing {
            spacing = s
        } else {
            let mm = 500 / Double(max(pixels.rows, pixels.columns))
            spacing = (mm, mm)
            notes.append("PixelSpacing missing: a 500 mm field of view assumed")
        }
        let grid = SliceGrid(values: frame, rows: pixels.rows, columns: pixels.columns, slope: slope, intercept: intercept, spacing: spacing)
        return (grid, notes)
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
