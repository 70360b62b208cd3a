/// Builds hostile DICOM files byte by byte for the tests: sequences nested
/// thousands of levels deep, lengths far beyond the data. Each file is a
/// Part 10 file with a valid meta header and a small CT-like dataset, so that
/// everything but the one hostile feature is ordinary.
public enum HostileDicom {
    public static let explicitLittleEndian = "1.2.840.10008.1.2.1"
    public static let implicitLittleEndian = "1.2.840.10008.1.2"

    /// How the nested sequences and items give their lengths.
    public enum Lengths: Sendable {
        /// 0xFFFFFFFF with delimiters (what the issue's probe sent).
        case undefined
        /// Each sequence and item with its byte count.
        case defined
    }

    /// A file whose Content Sequence (0040,A730) nests `depth` levels (one
    /// sequence and one item per level) before a small Pixel Data.
    public static func nestedSequences(depth: Int, lengths: Lengths = .undefined,
                                       transferSyntax: String = explicitLittleEndian) -> [UInt8] {
        let explicit = transferSyntax != implicitLittleEndian
        let inner = element(0x0040, 0xA040, "CS", text("TEXT"), explicit: explicit)
        // Built outside in (linear in depth): every level adds a sequence and an item header.
        var body: [UInt8] = []
        switch lengths {
        case .undefined:
            let open = header(0x0040, 0xA730, "SQ", length: 0xFFFF_FFFF, explicit: explicit) + u16(0xFFFE) + u16(0xE000)
                + u32(0xFFFF_FFFF)
            let close = u16(0xFFFE) + u16(0xE00D) + u32(0) + u16(0xFFFE) + u16(0xE0DD) + u32(0)
            body.reserveCapacity(depth * (open.count + close.count) + inner.count)
            for _ in 0..<depth { body += open }
            body += inner
            for _ in 0..<depth { body += close }
        case .defined:
            let sequenceHeader = header(0x0040, 0xA730, "SQ", length: 0, explicit: explicit).count
            for level in stride(from: depth, to: 0, by: -1) {
                let itemLength = UInt32(inner.count + (level - 1) * (sequenceHeader + 8))
                body += header(0x0040, 0xA730, "SQ", length: itemLength + 8, explicit: explicit)
                body += u16(0xFFFE) + u16(0xE000) + u32(itemLength)
            }
            body += inner
        }
        return file(transferSyntax: transferSyntax, body: body)
    }

    /// A file where the element (0008,103E) claims `length` bytes and the
    /// file ends a few bytes later.
    public static func hugeLength(_ length: UInt32 = 0xFFFF_FFF0) -> [UInt8] {
        let body = header(0x0008, 0x103E, "UT", length: length, explicit: true) + text("CHEST")
        return file(transferSyntax: explicitLittleEndian, body: body, pixels: false)
    }

    /// Preamble, meta header, the ordinary CT elements, `body`, Pixel Data.
    public static func file(transferSyntax: String, body: [UInt8], pixels: Bool = true,
                            sopInstanceUID: String = "1.2.826.0.1.3680043.10.543.9.1") -> [UInt8] {
        let sopClass = "1.2.840.10008.5.1.4.1.1.2"
        var meta = element(0x0002, 0x0001, "OB", [0, 1], explicit: true)
        meta += element(0x0002, 0x0002, "UI", uid(sopClass), explicit: true)
        meta += element(0x0002, 0x0003, "UI", uid(sopInstanceUID), explicit: true)
        meta += element(0x0002, 0x0010, "UI", uid(transferSyntax), explicit: true)
        meta += element(0x0002, 0x0012, "UI", uid("1.2.826.0.1.3680043.10.543"), explicit: true)
        let explicit = transferSyntax != implicitLittleEndian
        var data = element(0x0008, 0x0016, "UI", uid(sopClass), explicit: explicit)
        data += element(0x0008, 0x0018, "UI", uid(sopInstanceUID), explicit: explicit)
        data += element(0x0008, 0x0060, "CS", text("CT"), explicit: explicit)
        data += element(0x0008, 0x103E, "LO", text("CHEST"), explicit: explicit)
        data += element(0x0020, 0x000D, "UI", uid("1.2.826.0.1.3680043.10.543.9.2"), explicit: explicit)
        data += element(0x0020, 0x000E, "UI", uid("1.2.826.0.1.3680043.10.543.9.3"), explicit: explicit)
        data += body
        if pixels {
            data += element(0x0028, 0x0010, "US", u16(2), explicit: explicit)
            data += element(0x0028, 0x0011, "US", u16(2), explicit: explicit)
            data += element(0x7FE0, 0x0010, "OW", [UInt8](repeating: 0, count: 8), explicit: explicit)
        }
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
            + element(0x0002, 0x0000, "UL", u32(UInt32(meta.count)), explicit: true) + meta + data
    }

    /// One element: header and value (the value's length must be even).
    public static func element(_ group: UInt16, _ number: UInt16, _ vr: String, _ value: [UInt8], explicit: Bool) -> [UInt8] {
        header(group, number, vr, length: UInt32(value.count), explicit: explicit) + value
    }

    /// An element header in explicit or implicit VR little endian.
    public static func header(_ group: UInt16, _ number: UInt16, _ vr: String, length: UInt32, explicit: Bool) -> [UInt8] {
        guard explicit else { return u16(group) + u16(number) + u32(length) }
        let long: Set<String> = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]
        if long.contains(vr) { return u16(group) + u16(number) + Array(vr.utf8) + [0, 0] + u32(length) }
        return u16(group) + u16(number) + Array(vr.utf8) + u16(UInt16(truncatingIfNeeded: length))
    }

    public static func text(_ s: String) -> [UInt8] { pad(Array(s.utf8), with: 0x20) }
    public static func uid(_ s: String) -> [UInt8] { pad(Array(s.utf8), with: 0) }
    public static func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    public static func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    static func pad(_ bytes: [UInt8], with byte: UInt8) -> [UInt8] { bytes.count % 2 == 0 ? bytes : bytes + [byte] }
}
