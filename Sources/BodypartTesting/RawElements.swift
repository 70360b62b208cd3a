import Foundation

/// The top-level elements of a DICOM file as stored: tag and value bytes,
/// read without DCMTK (which normalizes some values as it loads them), so a
/// test can check that a rewrite kept every value byte for byte.
public enum RawElements {
    /// One stored element. `value` is nil for a sequence (their lengths are
    /// rewritten as undefined) or an encapsulated Pixel Data.
    public struct Element: Hashable, Sendable {
        public let tag: UInt32
        public let value: [UInt8]?
        public var tagText: String { String(format: "(%04X,%04X)", tag >> 16, tag & 0xFFFF) }
    }

    /// The dataset's top-level elements (little endian, explicit or implicit
    /// VR as the meta header says; nil for other transfer syntaxes). Stops at
    /// the first element it cannot follow.
    public static func read(_ path: String) -> [Element]? {
        guard let data = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), data.count > 132,
              data[128..<132].elementsEqual("DICM".utf8)
        else { return nil }
        var reader = Reader(data: data)
        var pos = 132
        var elements: [Element] = []
        var syntax = ""
        while pos + 8 <= data.count {
            if reader.meta && reader.u16(pos) != 0x0002 {
                reader.meta = false
                guard syntax.hasPrefix("1.2.840.10008.1.2"), syntax != "1.2.840.10008.1.2.2",
                      syntax != "1.2.840.10008.1.2.1.99"
                else { return nil }
                reader.implicit = syntax == "1.2.840.10008.1.2"
            }
            guard let e = reader.element(at: pos), let end = reader.end(of: e) else { break }
            let value = e.length == 0xFFFF_FFFF || e.sequence ? nil : Array(data[e.valueStart..<end])
            elements.append(Element(tag: e.tag, value: value))
            if e.tag == 0x0002_0010, let value {
                syntax = String(decoding: value.prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
            }
            pos = end
        }
        return elements
    }

    struct Header {
        let tag: UInt32
        let valueStart: Int
        let length: UInt32
        let sequence: Bool
    }

    struct Reader {
        let data: [UInt8]
        var implicit = false
        var meta = true

        func u16(_ i: Int) -> UInt16 { UInt16(data[i]) | UInt16(data[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }

        func element(at pos: Int) -> Header? {
            guard pos + 8 <= data.count else { return nil }
            let tag = UInt32(u16(pos)) << 16 | UInt32(u16(pos + 2))
            if implicit && !meta || tag >> 16 == 0xFFFE {
                let length = u32(pos + 4)
                let start = pos + 8
                let sq = length == 0xFFFF_FFFF
                    || (length >= 8 && start + 4 <= data.count && u16(start) == 0xFFFE && u16(start + 2) == 0xE000)
                return Header(tag: tag, valueStart: start, length: length, sequence: sq && tag >> 16 != 0xFFFE)
            }
            let vr = String(decoding: data[(pos + 4)...(pos + 5)], as: UTF8.self)
            if ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"].contains(vr) {
                guard pos + 12 <= data.count else { return nil }
                return Header(tag: tag, valueStart: pos + 12, length: u32(pos + 8), sequence: vr == "SQ")
            }
            return Header(tag: tag, valueStart: pos + 8, length: UInt32(u16(pos + 6)), sequence: false)
        }

        /// Where the element's value ends (walking undefined-length content to its delimiter).
        func end(of e: Header) -> Int? {
            if e.length != 0xFFFF_FFFF {
                let end = e.valueStart + Int(e.length)
                return end <= data.count ? end : nil
            }
            var pos = e.valueStart
            var reader = self
            if !e.sequence && e.tag != 0x7FE0_0010 { reader.implicit = true } // UN of undefined length
            while let inner = reader.element(at: pos) {
                if inner.tag == 0xFFFE_E0DD { return inner.valueStart }
                if inner.tag == 0xFFFE_E00D || (inner.tag == 0xFFFE_E000 && inner.length == 0xFFFF_FFFF) {
                    pos = inner.valueStart
                    continue
                }
                guard let end = reader.end(of: inner) else { return nil }
                pos = end
            }
            return nil
        }
    }
}
