import PixelCheck

/// Synthetic slices built from ellipses of body, lung air and bone, as the
/// grids the estimator reads (64 × 64 cells of 8 mm).
enum SyntheticPhantom {
    static let size = 64
    static let cell = 8.0

    struct Ellipse {
        var cx: Double, cy: Double, rx: Double, ry: Double
        func contains(_ x: Double, _ y: Double) -> Bool {
            let dx = (x - cx) / rx, dy = (y - cy) / ry
            return dx * dx + dy * dy <= 1
        }
    }

    /// A grid: `body` ellipses filled with tissue, then `lungs` with lung air,
    /// `bone` with bone; `ring` ellipses get a one-cell bone edge (skull).
    static func grid(body: [Ellipse], lungs: [Ellipse] = [], bone: [Ellipse] = [], ring: [Ellipse] = []) -> SliceGrid {
        var b = [Float](repeating: 0, count: size * size), l = b, o = b
        for y in 0..<size {
            for x in 0..<size {
                let px = (Double(x) - 31.5) * cell, py = (Double(y) - 31.5) * cell
                let i = y * size + x
                if body.contains(where: { $0.contains(px, py) }) { b[i] = 1 }
                if lungs.contains(where: { $0.contains(px, py) }) { b[i] = 0; l[i] = 1 }
                if bone.contains(where: { $0.contains(px, py) }) { o[i] = 1 }
                for e in ring where e.contains(px, py) {
                    let inner = Ellipse(cx: e.cx, cy: e.cy, rx: e.rx - cell * 1.2, ry: e.ry - cell * 1.2)
                    if !inner.contains(px, py) { o[i] = 0.6 }
                }
            }
        }
        return SliceGrid(width: size, height: size, cellSize: cell, body: b, lung: l, bone: o)
    }

    static let spine = Ellipse(cx: 0, cy: 60, rx: 20, ry: 20)

    static var head: SliceGrid {
        let skull = Ellipse(cx: 0, cy: 0, rx: 75, ry: 95)
        return grid(body: [skull], ring: [skull])
    }
    static var neck: SliceGrid { grid(body: [Ellipse(cx: 0, cy: 0, rx: 60, ry: 55)], bone: [Ellipse(cx: 0, cy: 25, rx: 12, ry: 12)]) }
    static var chest: SliceGrid {
        grid(body: [Ellipse(cx: 0, cy: 0, rx: 170, ry: 115)],
             lungs: [Ellipse(cx: -75, cy: 0, rx: 60, ry: 80), Ellipse(cx: 75, cy: 0, rx: 60, ry: 80)], bone: [spine])
    }
    static var abdomen: SliceGrid { grid(body: [Ellipse(cx: 0, cy: 0, rx: 165, ry: 120)], bone: [spine]) }
    static var pelvis: SliceGrid {
        grid(body: [Ellipse(cx: 0, cy: 0, rx: 180, ry: 115)],
             bone: [spine, Ellipse(cx: -110, cy: 20, rx: 35, ry: 40), Ellipse(cx: 110, cy: 20, rx: 35, ry: 40)])
    }
    static var legs: SliceGrid {
        grid(body: [Ellipse(cx: -90, cy: 0, rx: 75, ry: 70), Ellipse(cx: 90, cy: 0, rx: 75, ry: 70)],
             bone: [Ellipse(cx: -90, cy: 0, rx: 15, ry: 15), Ellipse(cx: 90, cy: 0, rx: 15, ry: 15)])
    }

    /// Slices head to foot, `spacing` mm apart, from (region grid, count) runs.
    static func volume(_ runs: [(SliceGrid, Int)], spacing: Double = 10) -> [VolumeEstimator.Slice] {
        var z = 0.0
        var slices: [VolumeEstimator.Slice] = []
        for (grid, count) in runs {
            let features = SliceFeatures(grid)
            for _ in 0..<count {
                slices.append(VolumeEstimator.Slice(z: z, features: features))
                z -= spacing
            }
        }
        return slices
    }
}
