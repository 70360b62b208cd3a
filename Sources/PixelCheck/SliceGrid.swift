/// One slice reduced to a coarse grid (about 64 × 64 cells). Each cell keeps
/// the share of its pixels in the HU bands the estimate uses, so thin
/// structures (a 6 mm skull) survive the reduction that averaging would blur.
public struct SliceGrid: Sendable {
    /// HU bands (inclusive lower bounds): body is above −500, lung air
    /// −950…−500, bone above 200.
    public enum Band {
        public static let body: Float = -500
        public static let lungLow: Float = -950
        public static let bone: Float = 200
    }

    public let width: Int
    public let height: Int
    /// Cell size in mm (columns, rows).
    public let cellWidth: Double
    public let cellHeight: Double
    /// Shares of pixels per cell (0…1), row-major.
    public var body: [Float]
    public var lung: [Float]
    public var bone: [Float]

    /// Area of one cell, cm².
    public var cellArea: Double { cellWidth * cellHeight / 100 }

    /// Reduces one frame of stored values to a grid, converting to HU with
    /// `slope` and `intercept` on the way. `spacing` is Pixel Spacing (mm).
    public init(values: ArraySlice<Float>, rows: Int, columns: Int, slope: Float, intercept: Float,
                spacing: (row: Double, column: Double), targetCells: Int = 64) {
        let block = max(1, Int((Double(max(rows, columns)) / Double(targetCells)).rounded()))
        width = (columns + block - 1) / block
        height = (rows + block - 1) / block
        cellWidth = spacing.column * Double(block)
        cellHeight = spacing.row * Double(block)
        (body, lung, bone) = SliceGrid.shares(values, rows: rows, columns: columns, block: block, width: width,
                                              height: height, slope: slope, intercept: intercept)
    }

    /// Counts each cell's pixels per band, as shares. Thresholds are turned
    /// into stored values first, so the loop does no arithmetic per pixel.
    static func shares(_ values: ArraySlice<Float>, rows: Int, columns: Int, block: Int, width: Int, height: Int,
                       slope: Float, intercept: Float) -> ([Float], [Float], [Float]) {
        var body = [Float](repeating: 0, count: width * height)
        var lung = body
        var bone = body
        var counts = body
        // `slope` is positive (the checker abstains otherwise).
        func stored(_ hu: Float) -> Float { (hu - intercept) / slope }
        let bodyT = stored(Band.body), lungT = stored(Band.lungLow), boneT = stored(Band.bone)
        let cellOfColumn = (0..<columns).map { $0 / block }
        values.withContiguousStorageIfAvailable { pixels in
            body.withUnsafeMutableBufferPointer { body in
                lung.withUnsafeMutableBufferPointer { lung in
                    bone.withUnsafeMutableBufferPointer { bone in
                        for r in 0..<rows {
                            let cellRow = (r / block) * width
                            let rowStart = r * columns
                            for c in 0..<columns {
                                let v = pixels[rowStart + c]
                                let cell = cellRow + cellOfColumn[c]
                                if v > bodyT {
                                    body[cell] += 1
                                    if v > boneT { bone[cell] += 1 }
                                } else if v >= lungT {
                                    lung[cell] += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        // Pixels per cell (edge cells may be partial).
        for y in 0..<height {
            let h = min(block, rows - y * block)
            for x in 0..<width { counts[y * width + x] = Float(h * min(block, columns - x * block)) }
        }
        for i in 0..<counts.count where counts[i] > 0 {
            body[i] /= counts[i]
            lung[i] /= counts[i]
            bone[i] /= counts[i]
        }
        return (body, lung, bone)
    }

    /// A grid from shares given directly (synthetic tests).
    public init(width: Int, height: Int, cellSize: Double, body: [Float], lung: [Float], bone: [Float]) {
        self.width = width
        self.height = height
        cellWidth = cellSize
        cellHeight = cellSize
        self.body = body
        self.lung = lung
        self.bone = bone
    }
}
