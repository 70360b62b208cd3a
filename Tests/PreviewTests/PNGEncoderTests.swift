import BodypartTesting
import Foundation
import Testing

@testable import Preview

/// The PNG encoder and its zlib stream, checked by the checksum vectors, by
/// walking the chunks, and by netpbm's `pngtopnm` (libpng and zlib) decoding
/// the files back to the exact gray levels encoded.
@Suite struct PNGEncoderTests {
    /// The CRC-32 the chunks carry (system zlib) against the standard's check value and a
    /// second, bitwise implementation.
    @Test func checksumVectors() {
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Zlib.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        let long = Self.noise(width: 1_000, height: 100).pixels
        #expect(Zlib.crc32(long) == Self.bitwiseCRC(long))
    }

    /// Chunks in order with correct lengths and CRCs; IHDR says what was encoded.
    @Test func chunksAndHeader() throws {
        let image = Self.gradient(width: 37, height: 19)
        let png = PNGEncoder.encode(image)
        #expect(Array(png.prefix(8)) == PNGEncoder.signature)
        let chunks = try Self.chunks(png)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in chunks { #expect(chunk.crcMatches, "\(chunk.type) CRC") }
        let ihdr = chunks[0].data
        #expect(Self.uint32(ihdr, 0) == 37 && Self.uint32(ihdr, 4) == 19)
        #expect(Array(ihdr[8...]) == [8, 0, 0, 0, 0])
        // zlib header and the Adler-32 of the filtered scanlines at the end.
        let idat = chunks[1].data
        #expect((Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0 && idat[0] & 0x0F == 8)
        let filtered = PNGEncoder.filtered(image)
        #expect(filtered.count == (37 + 1) * 19)
        #expect(Self.uint32(idat, idat.count - 4) == Self.adler32(filtered))
    }

    /// A flat image compresses to a small fraction (long back-references).
    @Test func compresses() {
        let flat = GrayImage(width: 256, height: 256, pixels: [UInt8](repeating: 90, count: 65_536))
        #expect(PNGEncoder.encode(flat).count < 1_000)
        // Empty input: a zlib header, an empty final block and Adler-32 1.
        let empty = Zlib.compress([])
        #expect(empty.count >= 6 && (Int(empty[0]) << 8 | Int(empty[1])) % 31 == 0)
        #expect(Self.uint32(empty, empty.count - 4) == 1)
    }

    static let images: [(String, GrayImage)] = [
        ("1x1", GrayImage(width: 1, height: 1, pixels: [200])),
        // Runs of 258 at distance 1 (the longest match), then one odd pixel.
        ("flat", GrayImage(width: 256, height: 256, pixels: (0..<65_536).map { $0 == 40_000 ? 7 : 90 })),
        ("gradient", gradient(width: 256, height: 256)),
        ("noise", noise(width: 181, height: 97)),
        ("column", noise(width: 1, height: 300)),
        ("stripes", GrayImage(width: 300, height: 200, pixels: (0..<60_000).map { UInt8(($0 / 7 % 2) * 255) })),
        // Over the 32 KiB window with repeats far apart.
        (
            "repeats",
            GrayImage(
                width: 250, height: 250,
                pixels: (0..<62_500).map { i in UInt8(truncatingIfNeeded: (i % 33_000) &* 7 ^ (i % 251)) })
        ),
    ]

    @Test(arguments: images.map(\.0))
    func decodedByNetpbm(_ name: String) throws {
        let image = try #require(Self.images.first { $0.0 == name }?.1)
        let decoded = try Self.decodeWithNetpbm(PNGEncoder.encode(image))
        #expect(decoded == image)
    }

    // MARK: Helpers

    static func gradient(width: Int, height: Int) -> GrayImage {
        GrayImage(
            width: width, height: height,
            pixels: (0..<(width * height)).map { UInt8(($0 % width + $0 / width) * 255 / max(1, width + height - 2)) })
    }

    static func noise(width: Int, height: Int) -> GrayImage {
        var state: UInt64 = 0x1234_5678
        return GrayImage(
            width: width, height: height,
            pixels: (0..<(width * height)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            })
    }

    struct Chunk {
        var type: String
        var data: [UInt8]
        var crcMatches: Bool
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Walks the chunks after the signature; CRCs recomputed independently of the encoder's table.
    static func chunks(_ png: [UInt8]) throws -> [Chunk] {
        var at = 8
        var result: [Chunk] = []
        while at < png.count {
            let length = Int(uint32(png, at))
            try #require(at + 12 + length <= png.count)
            let typeAndData = Array(png[(at + 4)..<(at + 8 + length)])
            let crc = uint32(png, at + 8 + length)
            result.append(
                Chunk(
                    type: String(decoding: typeAndData.prefix(4), as: UTF8.self), data: Array(typeAndData.dropFirst(4)),
                    crcMatches: bitwiseCRC(typeAndData) == crc))
            at += 12 + length
        }
        return result
    }

    /// Adler-32 (RFC 1950) written out, to check the stream's trailer.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    /// CRC-32 bit by bit (no table), as a second implementation.
    static func bitwiseCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    /// Decodes PNG bytes with `pngtopnm` (netpbm: libpng, zlib) into a gray image.
    static func decodeWithNetpbm(_ png: [UInt8]) throws -> GrayImage {
        let tool = try #require(
            TestEnvironment.which("pngtopnm"),
            "pngtopnm is not installed: run `make test-deps` (netpbm is a TEST_PACKAGE)")
        let folder = try TestEnvironment.temporaryFolder("png")
        defer { TestEnvironment.remove(folder) }
        let file = folder.appendingPathComponent("image.png")
        try Data(png).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = [UInt8](out.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "pngtopnm: \(message)")
        return try parsePGM(data)
    }

    /// A binary PGM (P5, maxval 255).
    static func parsePGM(_ data: [UInt8]) throws -> GrayImage {
        var fields: [String] = []
        var at = 0
        while fields.count < 4 && at < data.count {
            while at < data.count && [0x20, 0x0A, 0x0D, 0x09].contains(data[at]) { at += 1 }
            var field = ""
            while at < data.count && ![0x20, 0x0A, 0x0D, 0x09].contains(data[at]) {
                field.append(Character(UnicodeScalar(data[at])))
                at += 1
            }
            fields.append(field)
        }
        at += 1  // the single whitespace after maxval
        try #require(fields.count == 4 && fields[0] == "P5" && fields[3] == "255", "not an 8-bit PGM: \(fields)")
        let width = try #require(Int(fields[1])), height = try #require(Int(fields[2]))
        try #require(data.count - at == width * height)
        return GrayImage(width: width, height: height, pixels: Array(data[at...]))
    }
}
