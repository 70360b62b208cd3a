/// Resampling with a tent (linear) filter whose support widens when
/// shrinking, so that a 512-pixel row reduced to 256 averages its pixels
/// instead of dropping every second one.
enum Resample {
    /// For each of `m` outputs, the first source index and the weights
    /// (summing to 1) of consecutive source samples among `n`.
    static func weights(from n: Int, to m: Int) -> [(start: Int, weights: [Float])] {
        let scale = Double(m) / Double(n)
        let radius = max(1, 1 / scale)
        return (0..<m).map { k in
            let center = (Double(k) + 0.5) / scale - 0.5
            return tent(center: center, radius: radius, positions: nil, count: n)
        }
    }

    /// Tent weights around `center` over indices 0..<count (or over the
    /// given `positions`, ascending, when not nil); the nearest sample when
    /// none lies within `radius`.
    static func tent(center: Double, radius: Double, positions: [Double]?, count: Int) -> (start: Int, weights: [Float])
    {
        let position: (Int) -> Double = { i in positions?[i] ?? Double(i) }
        var start = -1
        var weights: [Float] = []
        var total: Float = 0
        for i in 0..<count {
            let w = 1 - abs(position(i) - center) / radius
            guard w > 0 else {
                if start >= 0 { break }
                continue
            }
            if start < 0 { start = i }
            weights.append(Float(w))
            total += Float(w)
        }
        guard start >= 0, total > 0 else {
            var nearest = 0
            for i in 1..<max(1, count) where abs(position(i) - center) < abs(position(nearest) - center) { nearest = i }
            return (nearest, [1])
        }
        return (start, weights.map { $0 / total })
    }

    /// One line of `values` resampled with precomputed weights.
    static func line(_ values: ArraySlice<Float>, _ weights: [(start: Int, weights: [Float])]) -> [Float] {
        let base = values.startIndex
        return weights.map { entry in
            var sum: Float = 0
            for (j, w) in entry.weights.enumerated() { sum += values[base + entry.start + j] * w }
            return sum
        }
    }

    /// A `width` × `height` plane (row-major) resampled to `newWidth` × `newHeight`.
    static func plane(_ values: [Float], width: Int, height: Int, newWidth: Int, newHeight: Int) -> [Float] {
        let across = weights(from: width, to: newWidth)
        var rows = [Float]()
        rows.reserveCapacity(newWidth * height)
        for y in 0..<height { rows += line(values[(y * width)..<((y + 1) * width)], across) }
        let down = weights(from: height, to: newHeight)
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        for (y, entry) in down.enumerated() {
            for (j, w) in entry.weights.enumerated() {
                let source = (entry.start + j) * newWidth
                for x in 0..<newWidth { out[y * newWidth + x] += rows[source + x] * w }
            }
        }
        return out
    }
}
