/// Connected parts (4-neighbour) of a boolean grid, and hole filling.
struct GridComponents {
    struct Component {
        var cells: [Int] = []
        var minX = Int.max, maxX = Int.min, minY = Int.max, maxY = Int.min
    }

    var components: [Component] = []

    init(mask: [Bool], width w: Int, height h: Int) {
        var seen = [Bool](repeating: false, count: mask.count)
        var stack: [Int] = []
        for start in 0..<mask.count where mask[start] && !seen[start] {
            var part = Component()
            seen[start] = true
            stack.append(start)
            while let cell = stack.popLast() {
                part.cells.append(cell)
                let x = cell % w, y = cell / w
                part.minX = min(part.minX, x); part.maxX = max(part.maxX, x)
                part.minY = min(part.minY, y); part.maxY = max(part.maxY, y)
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && nx < w && ny >= 0 && ny < h {
                    let next = ny * w + nx
                    if mask[next] && !seen[next] { seen[next] = true; stack.append(next) }
                }
            }
            components.append(part)
        }
    }

    /// `mask` with its holes filled: every cell not reachable from the grid's
    /// border through unmasked cells.
    static func filled(_ mask: [Bool], width w: Int, height h: Int) -> [Bool] {
        var outside = [Bool](repeating: false, count: mask.count)
        var stack: [Int] = []
        func push(_ cell: Int) {
            if !mask[cell] && !outside[cell] { outside[cell] = true; stack.append(cell) }
        }
        for x in 0..<w { push(x); push((h - 1) * w + x) }
        for y in 0..<h { push(y * w); push(y * w + w - 1) }
        while let cell = stack.popLast() {
            let x = cell % w, y = cell / w
            if x > 0 { push(cell - 1) }
            if x < w - 1 { push(cell + 1) }
            if y > 0 { push(cell - w) }
            if y < h - 1 { push(cell + w) }
        }
        return outside.map { !$0 }
    }
}
