import DicomCore
import DicomIO
import Dispatch
import Foundation
import PixelCheck
import Synchronization

/// Renders the previews of one series from its files: the middle slice and,
/// for an axial stack, a coronal reformat, both at their true aspect
/// (pixel spacing in plane, slice positions along z) and at most `maxSide`
/// pixels on a side. CT is shown in Hounsfield units with the soft-tissue
/// window (W 400 L 40); other modalities, and CT whose units are unknown,
/// with the 0.5–99.5 percentile window of the mid slice. Never throws: a
/// view that cannot be made is skipped with its reason.
public struct PreviewRenderer: Sendable {
    /// Longest side of a preview, pixels.
    public var maxSide: Int
    /// Parallel slice reads.
    public var jobs: Int

    public init(maxSide: Int = 256, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.maxSide = max(8, maxSide)
        self.jobs = max(1, jobs)
    }

    /// Field of view assumed when Pixel Spacing is missing (as the pixel check does).
    static let assumedFieldOfView = 500.0

    /// One file of the stack.
    struct Slice: Sendable {
        var header: SliceHeader
        var photometric: String
        var instance: Int?
        /// Position along the slice normal (mm, larger = nearer the head), nil without geometry.
        var z: Double?
    }

    /// The previews of the series whose files are `paths`.
    public func render(_ paths: [String]) -> SeriesPreviews {
        var notes: [String] = []
        let slices: [Slice]
        switch stack(paths, notes: &notes) {
        case .failure(let reason):
            return SeriesPreviews(
                mid: .skipped(.mid, reason.description), coronal: .skipped(.coronal, reason.description),
                window: nil, notes: notes)
        case .success(let s): slices = s
        }
        // The middle slice; when it cannot be decoded, the nearest one that can.
        let order = Array(slices.indices).sorted { abs($0 - slices.count / 2) < abs($1 - slices.count / 2) }
        var firstError: String?
        for index in order.prefix(5) {
            do throws(AbstainReason) {
                let mid = try MidSlice(slices[index], position: index, of: slices.count)
                if index != slices.count / 2 {
                    notes.append(
                        "the middle slice could not be decoded (\(firstError ?? "")); the nearest one is shown")
                }
                notes += mid.notes
                let midPreview = midImage(mid)
                let coronal = coronalImage(slices, mid: mid, notes: &notes)
                return SeriesPreviews(mid: midPreview, coronal: coronal, window: mid.window, notes: notes)
            } catch {
                if firstError == nil { firstError = error.description }
            }
        }
        let reason = "no slice could be decoded: \(firstError ?? "unknown")"
        return SeriesPreviews(
            mid: .skipped(.mid, reason), coronal: .skipped(.coronal, reason), window: nil, notes: notes)
    }

    // MARK: The stack

    /// The elements read from each file (header only).
    static let tags: Set<Tag> = SliceHeader.tags.union([Tag(0x0028, 0x0004), Tag(0x0020, 0x0013)])

    /// Headers read, localizers dropped, the main orientation kept and
    /// ordered head to foot (or by Instance Number without geometry).
    func stack(_ paths: [String], notes: inout [String]) -> Result<[Slice], AbstainReason> {
        var slices: [Slice] = []
        var unreadable: [String] = []
        for path in paths {
            do {
                let header = try HeaderReader().read(path) { Self.tags.contains($0) }
                let ds = header.dataset
                slices.append(
                    Slice(
                        header: SliceHeader(header),
                        photometric: DataSet.trimmed(ds.string(Tag(0x0028, 0x0004)) ?? "").uppercased(),
                        instance: ds.string(Tag(0x0020, 0x0013)).flatMap { Int(DataSet.trimmed($0)) }))
            } catch {
                unreadable.append(error.description)
            }
        }
        if !unreadable.isEmpty { notes.append("\(unreadable.count) file(s) unreadable, left out: \(unreadable[0])") }
        guard !slices.isEmpty else {
            return .failure(
                AbstainReason(paths.isEmpty ? "no files" : "no readable DICOM file: \(unreadable.first ?? "")"))
        }
        let images = slices.filter { !$0.header.isLocalizer }
        if images.isEmpty {
            notes.append("localizer (scout) images only")
        } else if images.count < slices.count {
            notes.append("\(slices.count - images.count) localizer image(s) left out")
            slices = images
        }
        guard slices.allSatisfy({ $0.header.normal != nil && $0.header.position != nil }) else {
            if slices.count > 1 {
                notes.append("no Image Position/Orientation (Patient) on every file: ordered by Instance Number")
            }
            return .success(
                slices.sorted { ($0.instance ?? Int.max, $0.header.path) < ($1.instance ?? Int.max, $1.header.path) })
        }
        // The most common orientation; then head first, one slice per position.
        var groups: [(normal: Vector3, members: [Slice])] = []
        for slice in slices {
            let n = slice.header.normal!
            if let i = groups.firstIndex(where: { $0.normal.dot(n) > SeriesGeometry.sameOrientation }) {
                groups[i].members.append(slice)
            } else {
                groups.append((n, [slice]))
            }
        }
        groups.sort { $0.members.count > $1.members.count }
        let main = groups[0]
        if groups.count > 1 {
            notes.append("\(slices.count - main.members.count) slice(s) in other orientations left out")
        }
        var seen = Set<Int>()
        var placed: [Slice] = []
        for var slice in main.members.sorted(by: { $0.header.path < $1.header.path }) {
            let z = slice.header.position!.dot(main.normal)
            guard seen.insert(Int((z * 10).rounded())).inserted else { continue }
            slice.z = z
            placed.append(slice)
        }
        if placed.count < main.members.count {
            notes.append("\(main.members.count - placed.count) slice(s) at a repeated position left out")
        }
        return .success(placed.sorted { $0.z! > $1.z! })
    }

    // MARK: Mid slice

    /// The decoded middle slice in display values (HU for CT), its window
    /// and how its values are converted.
    struct MidSlice {
        var slice: Slice
        var position: Int
        var count: Int
        var frame: Int
        var rows: Int
        var columns: Int
        var values: [Float]
        var rescale: Rescale
        var window: PreviewWindow
        /// True when `values` are Hounsfield units (CT with a known or inferred rescale).
        var hounsfield: Bool
        var invert: Bool
        var spacing: (row: Double, column: Double)
        var notes: [String] = []

        init(_ slice: Slice, position: Int, of count: Int) throws(AbstainReason) {
            let pixels = try PreviewRenderer.decode(slice.header.path)
            (self.slice, self.position, self.count) = (slice, position, count)
            (rows, columns) = (pixels.rows, pixels.columns)
            frame = pixels.frames / 2
            if pixels.frames > 1 { notes.append("multi-frame image: frame \(frame + 1) of \(pixels.frames) shown") }
            let stored = PreviewRenderer.gray(pixels, frame: frame, photometric: slice.photometric)
            let isCT = slice.header.modality == "CT"
            rescale = Rescale(slice.header)
            if isCT && !rescale.known {
                if let intercept = RescaleGuess.intercept(stored[...]) {
                    rescale = Rescale(slope: 1, intercept: intercept, known: true)
                    notes.append(
                        "RescaleSlope/RescaleIntercept missing: intercept \(Int(intercept)) inferred from the air")
                } else {
                    notes.append(
                        "RescaleSlope/RescaleIntercept missing and no air found: HU unknown, percentile window")
                }
            }
            values = rescale.apply(stored)
            hounsfield = isCT && rescale.known
            window = hounsfield ? .ctSoftTissue : .percentile(of: values)
            invert = slice.photometric == "MONOCHROME1"
            if pixels.samplesPerPixel > 1 {
                notes.append("\(pixels.samplesPerPixel) samples per pixel: shown as luminance")
            }
            if let s = slice.header.pixelSpacing {
                spacing = s
            } else {
                let mm = PreviewRenderer.assumedFieldOfView / Double(max(rows, columns))
                spacing = (mm, mm)
                notes.append("PixelSpacing missing: square pixels and a 500 mm field of view assumed")
            }
        }
    }

    /// Rescale Slope and Intercept of one file.
    struct Rescale {
        var slope: Float
        var intercept: Float
        /// False when either was missing (values used as stored).
        var known: Bool

        init(slope: Float, intercept: Float, known: Bool) {
            (self.slope, self.intercept, self.known) = (slope, intercept, known)
        }

        init(_ header: SliceHeader) {
            known = header.rescaleSlope != nil && header.rescaleIntercept != nil
            slope = Float(header.rescaleSlope ?? 1)
            intercept = Float(header.rescaleIntercept ?? 0)
        }

        func apply(_ values: [Float]) -> [Float] {
            slope == 1 && intercept == 0 ? values : values.map { $0 * slope + intercept }
        }
    }

    func midImage(_ mid: MidSlice) -> Preview {
        let widthMM = Double(mid.columns) * mid.spacing.column, heightMM = Double(mid.rows) * mid.spacing.row
        // Pixels per mm: fit `maxSide`, never enlarge beyond the finer native spacing.
        let scale = min(Double(maxSide) / max(widthMM, heightMM), 1 / min(mid.spacing.row, mid.spacing.column))
        let width = max(1, min(maxSide, Int((widthMM * scale).rounded())))
        let height = max(1, min(maxSide, Int((heightMM * scale).rounded())))
        let plane = Resample.plane(mid.values, width: mid.columns, height: mid.rows, newWidth: width, newHeight: height)
        var location = "slice \(mid.position + 1) of \(mid.count)"
        if let z = mid.slice.z { location += String(format: " at %.1f mm", z) }
        let image = Self.image(plane, width: width, height: height, window: mid.window, invert: mid.invert)
        return Preview(
            view: .mid, image: image, caption: "\(location), \(mid.columns)×\(mid.rows) pixels; \(mid.window)")
    }

    // MARK: Coronal reformat

    func coronalImage(_ slices: [Slice], mid: MidSlice, notes: inout [String]) -> Preview {
        guard mid.slice.header.frames <= 1 else {
            return .skipped(.coronal, "multi-frame image: per-frame positions are not read")
        }
        guard slices.count >= 2 else {
            return .skipped(
                .coronal, "single slice: a coronal reformat needs at least two slices at different positions")
        }
        guard let normal = mid.slice.header.normal, slices.allSatisfy({ $0.z != nil }) else {
            return .skipped(.coronal, "no Image Position/Orientation (Patient): the slices cannot be stacked")
        }
        guard abs(normal.z) >= SeriesGeometry.axialCosine else {
            return .skipped(
                .coronal, "slices are not axial (sagittal or coronal): the mid slice shows the acquired plane")
        }
        if abs(normal.z) < 0.9999 {
            notes.append(
                "tilted slices (gantry tilt \(Int((acos(abs(normal.z)) * 180 / .pi).rounded()))°): the reformat runs along the slice normal"
            )
        }
        let widthMM = Double(mid.columns) * mid.spacing.column
        let zs = slices.map { $0.z! }
        let gaps = zip(zs, zs.dropFirst()).map { $0 - $1 }.sorted()
        let gap = gaps[gaps.count / 2]
        let spanMM = zs.first! - zs.last! + gap
        let scale = min(Double(maxSide) / max(widthMM, spanMM), 1 / mid.spacing.column)
        let width = max(1, min(maxSide, Int((widthMM * scale).rounded())))
        let height = max(1, min(maxSide, Int((spanMM * scale).rounded())))
        // The row band through the body's centre (CT) or the middle of the
        // field, as thick as one output pixel.
        let centre = mid.hounsfield ? Self.bodyCentreRow(mid) : mid.rows / 2
        let band = max(1, min(9, Int((1 / scale / mid.spacing.row).rounded())))
        let firstRow = max(0, min(mid.rows - band, centre - band / 2))
        let rows = readBands(slices, mid: mid, rows: firstRow..<(firstRow + band))
        var kept: [(z: Double, row: [Float])] = []
        var failures: [String] = []
        for (slice, outcome) in zip(slices, rows) {
            switch outcome {
            case .success(let row): kept.append((slice.z!, row))
            case .failure(let reason): failures.append(reason.description)
            }
        }
        if !failures.isEmpty { notes.append("\(failures.count) slice(s) left out of the reformat: \(failures[0])") }
        guard kept.count >= 2 else {
            return .skipped(
                .coronal,
                "fewer than two slices could be decoded for the reformat" + (failures.first.map { ": \($0)" } ?? ""))
        }
        // Across: each row band resampled to `width`; down: tent weights by
        // distance from the top slice, in mm.
        let across = Resample.weights(from: mid.columns, to: width)
        let lines = kept.map { Resample.line($0.row[...], across) }
        let top = kept[0].z
        let depths = kept.map { top - $0.z }
        let mmPerPixel = spanMM / Double(height)
        let radius = max(gap, mmPerPixel)
        var plane = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let depth = min(max(-gap / 2 + (Double(y) + 0.5) * mmPerPixel, 0), depths.last!)
            let entry = Resample.tent(center: depth, radius: radius, positions: depths, count: depths.count)
            for (j, w) in entry.weights.enumerated() {
                let line = lines[entry.start + j]
                for x in 0..<width { plane[y * width + x] += line[x] * w }
            }
        }
        let image = Self.image(plane, width: width, height: height, window: mid.window, invert: mid.invert)
        let caption =
            String(
                format: "through row %d of %d, %d slices over %.0f mm (head at the top); ", firstRow + band / 2 + 1,
                mid.rows, kept.count, spanMM) + mid.window.description
        return Preview(view: .coronal, image: image, caption: caption)
    }

    /// The mean row of the pixels above −500 HU in the mid slice (the body
    /// and the table); the middle row when there are none.
    static func bodyCentreRow(_ mid: MidSlice) -> Int {
        var sum = 0, count = 0
        for r in 0..<mid.rows {
            for c in 0..<mid.columns where mid.values[r * mid.columns + c] > -500 {
                sum += r
                count += 1
            }
        }
        return count > 0 ? sum / count : mid.rows / 2
    }

    /// The mean of `rows` of each slice, in display values, read on `jobs` threads.
    func readBands(_ slices: [Slice], mid: MidSlice, rows: Range<Int>) -> [Result<[Float], AbstainReason>] {
        let outcomes = Mutex<[Int: Result<[Float], AbstainReason>]>([:])
        let count = slices.count
        let jobs = min(self.jobs, count)
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            var index = worker
            while index < count {
                let slice = slices[index]
                let outcome = Result { () throws(AbstainReason) -> [Float] in
                    let pixels: DecodedPixels
                    let values: [Float]
                    if slice.header.path == mid.slice.header.path {
                        values = mid.values
                    } else {
                        pixels = try PreviewRenderer.decode(slice.header.path)
                        guard pixels.rows == mid.rows, pixels.columns == mid.columns else {
                            throw AbstainReason(
                                "\(slice.header.path): \(pixels.columns)×\(pixels.rows) pixels, not \(mid.columns)×\(mid.rows)"
                            )
                        }
                        let own = Rescale(slice.header)
                        // A CT file without rescale takes the middle slice's (inferred) one.
                        let rescale = own.known ? own : mid.rescale
                        values = rescale.apply(PreviewRenderer.gray(pixels, frame: 0, photometric: slice.photometric))
                    }
                    var band = [Float](repeating: 0, count: mid.columns)
                    for r in rows {
                        for c in 0..<mid.columns { band[c] += values[r * mid.columns + c] }
                    }
                    return band.map { $0 / Float(rows.count) }
                }
                outcomes.withLock { $0[index] = outcome }
                index += jobs
            }
        }
        let all = outcomes.withLock { $0 }
        return (0..<count).map { all[$0]! }
    }

    // MARK: Pixels

    static func decode(_ path: String) throws(AbstainReason) -> DecodedPixels {
        let pixels: DecodedPixels
        do { pixels = try PixelReader().read(path) } catch { throw AbstainReason(error.description) }
        guard pixels.rows > 0, pixels.columns > 0, pixels.frames > 0, pixels.samplesPerPixel > 0,
            pixels.values.count >= pixels.rows * pixels.columns * pixels.frames * pixels.samplesPerPixel
        else { throw AbstainReason("\(path): no pixels (\(pixels.columns)×\(pixels.rows), \(pixels.frames) frames)") }
        return pixels
    }

    /// One frame as one value per pixel: as stored for one sample; the
    /// luminance for RGB, the Y sample for YBR.
    static func gray(_ pixels: DecodedPixels, frame: Int, photometric: String) -> [Float] {
        let values = pixels.frame(min(frame, pixels.frames - 1))
        let samples = pixels.samplesPerPixel
        guard samples > 1 else { return Array(values) }
        let base = values.startIndex
        let count = pixels.rows * pixels.columns
        if photometric.hasPrefix("YBR") { return (0..<count).map { values[base + $0 * samples] } }
        guard samples >= 3 else { return (0..<count).map { values[base + $0 * samples] } }
        return (0..<count).map { i in
            let p = base + i * samples
            return 0.299 * values[p] + 0.587 * values[p + 1] + 0.114 * values[p + 2]
        }
    }

    /// Display values to gray levels.
    static func image(_ plane: [Float], width: Int, height: Int, window: PreviewWindow, invert: Bool) -> GrayImage {
        GrayImage(width: width, height: height, pixels: plane.map { invert ? 255 - window.gray($0) : window.gray($0) })
    }
}
