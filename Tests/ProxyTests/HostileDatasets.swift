import Foundation

/// Datasets no modality sends, made by the tests from a real one (Explicit
/// VR Little Endian, as ``RawAssociation/dataset(ofFile:)`` returns it).
enum HostileDatasets {
    /// `dataset` with (0040,A730) Content Sequence nested `depth` levels deep
    /// (undefined-length sequences and items), inserted in tag order before
    /// Pixel Data: the shape that overflows DCMTK's recursive parser.
    static func nested(_ dataset: [UInt8], depth: Int) -> [UInt8] {
        let at = offset(ofFirstTagAfter: 0x0040_A730, in: dataset)
        var open: [UInt8] = []
        let sequence: [UInt8] = [0x40, 0x00, 0x30, 0xA7] + Array("SQ".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        let closeItem: [UInt8] = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]
        let closeSequence: [UInt8] = [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        open.reserveCapacity(depth * 32)
        for _ in 0..<depth { open += sequence + item }
        var close: [UInt8] = []
        close.reserveCapacity(depth * 16)
        for _ in 0..<depth { close += closeItem + closeSequence }
        return Array(dataset[..<at]) + open + close + Array(dataset[at...])
    }

    /// Where the first top-level element whose tag is above `tag` starts.
    static func offset(ofFirstTagAfter tag: UInt32, in dataset: [UInt8]) -> Int {
        var i = 0
        while i + 8 <= dataset.count {
            if self.tag(at: i, dataset) > tag { return i }
            i = end(ofElementAt: i, dataset)
        }
        return dataset.count
    }

    private static func tag(at i: Int, _ d: [UInt8]) -> UInt32 {
        (UInt32(d[i]) | UInt32(d[i + 1]) << 8) << 16 | UInt32(d[i + 2]) | UInt32(d[i + 3]) << 8
    }

    private static func u32(at i: Int, _ d: [UInt8]) -> Int {
        Int(d[i]) | Int(d[i + 1]) << 8 | Int(d[i + 2]) << 16 | Int(d[i + 3]) << 24
    }

    /// Where the element (Explicit VR LE) or item starting at `i` ends, undefined lengths followed.
    private static func end(ofElementAt i: Int, _ d: [UInt8]) -> Int {
        if tag(at: i, d) >> 16 == 0xFFFE {
            let length = u32(at: i + 4, d)
            guard length == 0xFFFF_FFFF else { return i + 8 + length }
            var j = i + 8
            while tag(at: j, d) != 0xFFFE_E00D { j = end(ofElementAt: j, d) }
            return j + 8
        }
        let vr = String(decoding: d[(i + 4)..<(i + 6)], as: UTF8.self)
        guard ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"].contains(vr) else {
            return i + 8 + (Int(d[i + 6]) | Int(d[i + 7]) << 8)
        }
        let length = u32(at: i + 8, d)
        guard length == 0xFFFF_FFFF else { return i + 12 + length }
        var j = i + 12
        while tag(at: j, d) != 0xFFFE_E0DD { j = end(ofElementAt: j, d) }
        return j + 8
    }
}
