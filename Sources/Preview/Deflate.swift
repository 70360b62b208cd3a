/// A zlib stream (RFC 1950) holding one DEFLATE block (RFC 1951) with the
/// fixed Huffman codes and greedy LZ77 matches over a 32 KiB window. Enough
/// for small grayscale previews: no dynamic Huffman tables, no lazy matching,
/// so it compresses less than zlib's default level but needs no library.
enum Deflate {
    /// `data` as a complete zlib stream: header, one final fixed-Huffman
    /// block, Adler-32 of `data` (big-endian).
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate, 32 KiB window; FLG 0x01 makes the header a multiple of 31.
        var bits = BitWriter(capacity: data.count / 2 + 64)
        bits.bytes = [0x78, 0x01]
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
        compress(data, into: &bits)
        bits.writeHuffman(Fixed.literal[256], length: Fixed.literalLength[256])  // end of block
        bits.flush()
        let adler = Adler32.checksum(data)
        bits.bytes += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        return bits.bytes
    }

    static let window = 32_768
    static let minMatch = 3
    static let maxMatch = 258
    /// Candidates tried per position: more compresses better and costs time.
    static let chainLimit = 48
    static let hashBits = 15

    /// Greedy LZ77: at each position the longest match among the last
    /// `chainLimit` positions with the same 3-byte hash, else a literal.
    private static func compress(_ data: [UInt8], into bits: inout BitWriter) {
        let n = data.count
        let hashSize = 1 << hashBits
        var head = [Int32](repeating: -1, count: hashSize)
        var previous = [Int32](repeating: -1, count: window)
        data.withUnsafeBufferPointer { d in
            func hash(_ i: Int) -> Int {
                let v = Int(d[i]) << 16 | Int(d[i + 1]) << 8 | Int(d[i + 2])
                return (v &* 0x9E37_79B1) >> 7 & (hashSize - 1)
            }
            func insert(_ i: Int) {
                guard i + minMatch <= n else { return }
                let h = hash(i)
                previous[i & (window - 1)] = head[h]
                head[h] = Int32(i)
            }
            var i = 0
            while i < n {
                var bestLength = 0
                var bestDistance = 0
                if i + minMatch <= n {
                    var candidate = Int(head[hash(i)])
                    var tries = chainLimit
                    let limit = min(maxMatch, n - i)
                    while candidate >= 0 && i - candidate <= window && tries > 0 {
                        if d[candidate + bestLength] == d[i + bestLength] || bestLength == 0 {
                            var length = 0
                            while length < limit && d[candidate + length] == d[i + length] { length += 1 }
                            if length > bestLength {
                                (bestLength, bestDistance) = (length, i - candidate)
                                if length == limit { break }
                            }
                        }
                        let next = Int(previous[candidate & (window - 1)])
                        // A chain entry at or after `candidate` was overwritten: the chain ends here.
                        if next >= candidate { break }
                        candidate = next
                        tries -= 1
                    }
                }
                if bestLength >= minMatch {
                    bits.writeLength(bestLength)
                    bits.writeDistance(bestDistance)
                    for j in i..<(i + bestLength) { insert(j) }
                    i += bestLength
                } else {
                    let byte = Int(d[i])
                    bits.writeHuffman(Fixed.literal[byte], length: Fixed.literalLength[byte])
                    insert(i)
                    i += 1
                }
            }
        }
    }

    /// The fixed literal/length code (RFC 1951 3.2.6), bit-reversed so that
    /// it can be written least significant bit first.
    enum Fixed {
        static let (literal, literalLength): ([UInt32], [Int]) = {
            var codes = [UInt32](repeating: 0, count: 288)
            var lengths = [Int](repeating: 0, count: 288)
            for symbol in 0..<288 {
                let (code, length): (Int, Int) =
                    switch symbol {
                    case 0...143: (0x30 + symbol, 8)
                    case 144...255: (0x190 + symbol - 144, 9)
                    case 256...279: (symbol - 256, 7)
                    default: (0xC0 + symbol - 280, 8)
                    }
                codes[symbol] = reversed(UInt32(code), length)
                lengths[symbol] = length
            }
            return (codes, lengths)
        }()

        /// Length symbols 257…285: base length and extra bits.
        static let lengthBase: [Int] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
            131, 163, 195, 227, 258,
        ]
        static let lengthExtra: [Int] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ]
        /// Distance symbols 0…29: base distance and extra bits.
        static let distanceBase: [Int] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
            1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ]
        static let distanceExtra: [Int] = [
            0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
            12, 13, 13,
        ]
        /// The 5-bit distance codes, bit-reversed.
        static let distance: [UInt32] = (0..<30).map { reversed(UInt32($0), 5) }

        static func reversed(_ code: UInt32, _ length: Int) -> UInt32 {
            var result: UInt32 = 0
            for bit in 0..<length where code & (1 << bit) != 0 { result |= 1 << (length - 1 - bit) }
            return result
        }

        /// The symbol index (0-based, from 257 / 0) whose base is the largest not above `value`.
        static func symbol(for value: Int, bases: [Int]) -> Int {
            var low = 0, high = bases.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if bases[mid] <= value { low = mid } else { high = mid - 1 }
            }
            return low
        }
    }
}

/// Packs bits least significant first into bytes (DEFLATE's bit order).
struct BitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt32, count n: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += n
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// A Huffman code already bit-reversed.
    mutating func writeHuffman(_ code: UInt32, length: Int) { write(code, count: length) }

    mutating func writeLength(_ length: Int) {
        let index = Deflate.Fixed.symbol(for: length, bases: Deflate.Fixed.lengthBase)
        let symbol = 257 + index
        writeHuffman(Deflate.Fixed.literal[symbol], length: Deflate.Fixed.literalLength[symbol])
        let extra = Deflate.Fixed.lengthExtra[index]
        if extra > 0 { write(UInt32(length - Deflate.Fixed.lengthBase[index]), count: extra) }
    }

    mutating func writeDistance(_ distance: Int) {
        let index = Deflate.Fixed.symbol(for: distance, bases: Deflate.Fixed.distanceBase)
        writeHuffman(Deflate.Fixed.distance[index], length: 5)
        let extra = Deflate.Fixed.distanceExtra[index]
        if extra > 0 { write(UInt32(distance - Deflate.Fixed.distanceBase[index]), count: extra) }
    }

    /// Pads the last byte with zero bits.
    mutating func flush() {
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        count = 0
    }
}

/// Adler-32 (RFC 1950 8.2), the zlib stream's checksum.
public enum Adler32 {
    public static func checksum(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        // 5552 bytes is the most that keeps b below 2^32 before the modulo.
        while index < data.count {
            let end = min(data.count, index + 5552)
            for i in index..<end {
                a &+= UInt32(data[i])
                b &+= a
            }
            a %= 65521
            b %= 65521
            index = end
        }
        return b << 16 | a
    }
}

/// CRC-32 (ISO 3309, polynomial 0xEDB88320), the PNG chunk checksum.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
