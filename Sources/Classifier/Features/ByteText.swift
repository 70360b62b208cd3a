/// Byte-level text normalization for the feature hot path.
///
/// Produces the same words as `Anatomy.TextNormalizer` for ASCII and Latin text (upper case,
/// accents removed, separators turned into single spaces) but works on UTF-8 bytes and appends
/// into a reusable buffer, so that extracting features allocates no `String`. Cyrillic letters
/// are upper-cased; other scripts pass through unchanged as word characters.
enum ByteText {
    /// Base letters for U+00C0...U+024F ("." = not a letter: treated as a separator).
    static let latinTable: [UInt8] = Array("AAAAAAACEEEEIIIIDNOOOOO.OUUUUYTSAAAAAAACEEEEIIIIDNOOOOO.OUUUUYTYAAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII..JJKK.LLLLLL..LLNNNNNN...OOOOOOOORRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZ...................F.............OO.............UU............................AAIIOOUUUUUUUUUU.AAAA....GGKKOOOO..J...GG..NNAA....AAAAEEEEIIIIOOOORRRRUUUUSSTT..HH......AAEEOOOOOOOOYY............................".utf8)
    /// Base letters for U+1E00...U+1EFF (Latin Extended Additional, Vietnamese).
    static let latinAdditionalTable: [UInt8] = Array("AABBBBBBCCDDDDDDDDDDEEEEEEEEEEFFGGHHHHHHHHHHIIIIKKKKKKLLLLLLLLMMMMMMNNNNNNNNOOOOOOOOPPPPRRRRRRRRSSSSSSSSSSTTTTTTTTUUUUUUUUUUVVVVWWWWWWWWWWXXXXYYZZZZZZHTWY......AAAAAAAAAAAAAAAAAAAAAAAAEEEEEEEEEEEEEEEEIIIIOOOOOOOOOOOOOOOOOOOOOOOOUUUUUUUUUUUUUUYYYYYYYY......".utf8)
    static let space: UInt8 = 0x20

    /// Appends the normalized form of `bytes` to `out`: words separated by one space, with a
    /// leading separator when `out` is not empty. Returns the range written.
    @inline(__always)
    static func appendNormalized(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Range<Int> {
        let start = out.count
        var pendingSpace = false
        var i = 0
        let n = bytes.count
        @inline(__always) func emit(_ b: UInt8) {
            if pendingSpace && out.count > start { out.append(space) }
            pendingSpace = false
            out.append(b)
        }
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b >= 0x61 && b <= 0x7A { emit(b - 32) }
                else if (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) { emit(b) }
                else { pendingSpace = true }
                i += 1
            } else if b >= 0xC2 && b <= 0xDF && i + 1 < n {
                let cp = (Int(b & 0x1F) << 6) | Int(bytes[i + 1] & 0x3F)
                if cp >= 0xC0 && cp < 0x250 {
                    let m = latinTable[cp - 0xC0]
                    if m == 0x2E { pendingSpace = true } else { emit(m) }
                } else if cp >= 0x400 && cp < 0x460 {
                    // Cyrillic: upper-case a..ya and the ie/yo row, keep as two bytes.
                    var up = cp
                    if cp >= 0x430 && cp < 0x450 { up = cp - 0x20 } else if cp >= 0x450 { up = cp - 0x50 }
                    emit(UInt8(0xC0 | (up >> 6)))
                    out.append(UInt8(0x80 | (up & 0x3F)))
                } else if cp >= 0x300 && cp < 0x370 {
                    // combining diacritic: drop
                } else if cp < 0xC0 {
                    pendingSpace = true
                } else {
                    emit(b)
                    out.append(bytes[i + 1])
                }
                i += 2
            } else if b >= 0xE0 && b <= 0xEF && i + 2 < n {
                let cp = (Int(b & 0x0F) << 12) | (Int(bytes[i + 1] & 0x3F) << 6) | Int(bytes[i + 2] & 0x3F)
                if cp >= 0x1E00 && cp < 0x1F00 {
                    let m = latinAdditionalTable[cp - 0x1E00]
                    if m == 0x2E { pendingSpace = true } else { emit(m) }
                } else if (cp >= 0x2000 && cp < 0x2070) || cp == 0x3000 || (cp >= 0xFF00 && cp < 0xFF10) {
                    pendingSpace = true
                } else {
                    emit(b)
                    out.append(bytes[i + 1])
                    out.append(bytes[i + 2])
                }
                i += 3
            } else {
                emit(b)
                i += 1
            }
        }
        return start..<out.count
    }

    /// Calls `body` with the UTF-8 bytes of `s` without copying when the string is native.
    @inline(__always)
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        let copy = Array(s.utf8)
        return copy.withUnsafeBufferPointer(body)
    }

    /// Normalizes a string (convenience for tests and non-hot paths).
    static func normalize(_ s: String) -> String {
        var out: [UInt8] = []
        _ = withBytes(s) { appendNormalized($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
