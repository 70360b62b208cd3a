/// An 8-bit grayscale picture, row after row, top row first.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            width > 0 && height > 0 && pixels.count == width * height,
            "GrayImage: \(width)×\(height), \(pixels.count) pixels")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }

    /// Population variance of the gray values (0 for a blank picture).
    public var variance: Double {
        let n = Double(pixels.count)
        var sum = 0.0, squares = 0.0
        for p in pixels {
            sum += Double(p)
            squares += Double(p) * Double(p)
        }
        let mean = sum / n
        return max(0, squares / n - mean * mean)
    }
}

/// Writes a `GrayImage` as a PNG file's bytes: colour type 0 (grayscale),
/// bit depth 8, no interlace; each row filtered with the PNG filter whose
/// output has the smallest sum of absolute values (the usual heuristic);
/// one IDAT chunk holding a zlib stream from system zlib (`Zlib`).
public enum PNGEncoder {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func encode(_ image: GrayImage) -> [UInt8] {
        var header: [UInt8] = []
        header += bigEndian(UInt32(image.width))
        header += bigEndian(UInt32(image.height))
        header += [8, 0, 0, 0, 0]  // bit depth 8, grayscale, deflate, adaptive filtering, no interlace
        var png = signature
        png += chunk("IHDR", header)
        png += chunk("IDAT", Zlib.compress(filtered(image)))
        png += chunk("IEND", [])
        return png
    }

    /// The scanlines, each preceded by its filter type byte.
    static func filtered(_ image: GrayImage) -> [UInt8] {
        let w = image.width
        var out = [UInt8]()
        out.reserveCapacity((w + 1) * image.height)
        var candidates = [[UInt8]](repeating: [UInt8](repeating: 0, count: w), count: 5)
        let zero = [UInt8](repeating: 0, count: w)
        for y in 0..<image.height {
            let row = Array(image.pixels[(y * w)..<((y + 1) * w)])
            let up = y > 0 ? Array(image.pixels[((y - 1) * w)..<(y * w)]) : zero
            for x in 0..<w {
                let a = x > 0 ? row[x - 1] : 0, b = up[x], c = x > 0 ? up[x - 1] : 0
                let v = row[x]
                candidates[0][x] = v
                candidates[1][x] = v &- a
                candidates[2][x] = v &- b
                candidates[3][x] = v &- UInt8((Int(a) + Int(b)) / 2)
                candidates[4][x] = v &- paeth(a, b, c)
            }
            var best = 0
            var bestCost = Int.max
            for (filter, bytes) in candidates.enumerated() {
                // Bytes read as signed: small differences either way cost little.
                let cost = bytes.reduce(0) { $0 + abs(Int(Int8(bitPattern: $1))) }
                if cost < bestCost { (best, bestCost) = (filter, cost) }
            }
            out.append(UInt8(best))
            out += candidates[best]
        }
        return out
    }

    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// A chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(Zlib.crc32(typeBytes + data))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
