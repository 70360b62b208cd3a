/// Robust measurements of one slice, from its grid: the body outline
/// (everything above −500 HU that is connected and not the table, holes
/// filled), the lung air inside it, the bone, and their shapes.
public struct SliceFeatures: Sendable, Hashable {
    /// Area inside the body outline(s), cm².
    public var bodyArea: Double = 0
    /// Lateral and antero-posterior extent of the outline(s), mm.
    public var width: Double = 0
    public var depth: Double = 0
    /// Lung-range air (−950…−500 HU) inside the outline, cm².
    public var lungArea: Double = 0
    /// Bone (> 200 HU) inside the outline, cm².
    public var boneArea: Double = 0
    /// Bone outside the central 40 % of the width (iliac wings, femoral
    /// heads, shoulders), cm².
    public var lateralBoneArea: Double = 0
    /// Share of the outline's edge cells with bone just beneath (skull ring), 0…1.
    public var ringBone: Double = 0
    /// Lowest share of the outline's depth filled by body in the columns
    /// around its lateral centre: near 1 for a trunk, near 0 between two legs.
    public var midline: Double = 1
    /// Separate body parts of at least 40 cm² (two for thighs).
    public var largeParts: Int = 0
    /// Area of the largest and second-largest part, cm².
    public var largestPart: Double = 0
    public var secondPart: Double = 0

    /// Lung air as a share of the body area.
    public var lungShare: Double { bodyArea > 0 ? lungArea / bodyArea : 0 }
    /// Bone as a share of the body area.
    public var boneShare: Double { bodyArea > 0 ? boneArea / bodyArea : 0 }

    public init() {}

    /// Measures `grid`.
    public init(_ grid: SliceGrid) {
        let w = grid.width, h = grid.height, n = w * h
        let cellArea = grid.cellArea
        let mask = grid.body.map { $0 >= 0.5 }
        let parts = GridComponents(mask: mask, width: w, height: h)
        // Keep parts of 10 cm² and more that are not table-like (a flat strip under 3 cm high).
        var kept = [Bool](repeating: false, count: n)
        var areas: [Double] = []
        for part in parts.components {
            let area = Double(part.cells.count) * cellArea
            let heightMM = Double(part.maxY - part.minY + 1) * grid.cellHeight
            let widthMM = Double(part.maxX - part.minX + 1) * grid.cellWidth
            if area < 10 || (heightMM < 30 && widthMM > 3 * heightMM) { continue }
            for cell in part.cells { kept[cell] = true }
            areas.append(area)
        }
        areas.sort(by: >)
        guard !areas.isEmpty else { return }
        largestPart = areas[0]
        secondPart = areas.count > 1 ? areas[1] : 0
        largeParts = areas.filter { $0 >= 40 }.count
        let inside = GridComponents.filled(kept, width: w, height: h)
        var minX = w, maxX = -1, minY = h, maxY = -1, count = 0
        var lung = 0.0, bone = 0.0
        for y in 0..<h {
            for x in 0..<w where inside[y * w + x] {
                count += 1
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                lung += Double(grid.lung[y * w + x])
                bone += Double(grid.bone[y * w + x])
            }
        }
        bodyArea = Double(count) * cellArea
        width = Double(maxX - minX + 1) * grid.cellWidth
        depth = Double(maxY - minY + 1) * grid.cellHeight
        lungArea = lung * cellArea
        boneArea = bone * cellArea
        let centerX = Double(minX + maxX) / 2, halfCentral = 0.2 * Double(maxX - minX + 1)
        var lateral = 0.0
        for y in 0..<h {
            for x in 0..<w where inside[y * w + x] && abs(Double(x) - centerX) > halfCentral {
                lateral += Double(grid.bone[y * w + x])
            }
        }
        lateralBoneArea = lateral * cellArea
        midline = SliceFeatures.midline(inside: inside, width: w, minX: minX, maxX: maxX, minY: minY, maxY: maxY)
        ringBone = SliceFeatures.ring(inside: inside, bone: grid.bone, width: w, height: h)
    }

    /// The least-filled column within two cells of the outline's lateral
    /// centre, as a share of the outline's depth.
    static func midline(inside: [Bool], width w: Int, minX: Int, maxX: Int, minY: Int, maxY: Int) -> Double {
        let center = (minX + maxX) / 2
        var lowest = 1.0
        for x in max(minX, center - 2)...min(maxX, center + 2) {
            var filled = 0
            for y in minY...maxY where inside[y * w + x] { filled += 1 }
            lowest = min(lowest, Double(filled) / Double(maxY - minY + 1))
        }
        return lowest
    }

    /// Share of edge cells of the outline with bone (≥ 15 % of a cell) within
    /// two cells inward: near 1 for a skull, low elsewhere (ribs lie deeper
    /// under muscle and fat).
    static func ring(inside: [Bool], bone: [Float], width w: Int, height h: Int) -> Double {
        var edges = 0, withBone = 0
        for y in 0..<h {
            for x in 0..<w where inside[y * w + x] {
                let isEdge = x == 0 || y == 0 || x == w - 1 || y == h - 1
                    || !inside[y * w + x - 1] || !inside[y * w + x + 1] || !inside[(y - 1) * w + x] || !inside[(y + 1) * w + x]
                guard isEdge else { continue }
                edges += 1
                var found = false
                for dy in -2...2 where !found {
                    for dx in -2...2 {
                        let yy = y + dy, xx = x + dx
                        if yy >= 0, yy < h, xx >= 0, xx < w, inside[yy * w + xx], bone[yy * w + xx] >= 0.15 { found = true; break }
                    }
                }
                if found { withBone += 1 }
            }
        }
        return edges > 0 ? Double(withBone) / Double(edges) : 0
    }
}
