import CZlib

/// The zlib calls the PNG encoder needs, wrapped once: a zlib stream (RFC 1950) of DEFLATE data
/// and the CRC-32 that PNG chunks carry. System zlib replaces the encoder and checksums this
/// project wrote by hand: one maintained implementation instead of a second one to trust.
enum Zlib {
    /// `data` as a zlib stream at the best compression (previews are written once, read often).
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                compress2(output.baseAddress, &size, input.baseAddress, uLong(input.count), Z_BEST_COMPRESSION)
            }
        }
        // compressBound is an upper bound and the input is in memory: Z_MEM_ERROR is the only
        // failure left, and an encoder that cannot allocate a few kilobytes cannot go on either.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        out.removeSubrange(Int(size)...)
        return out
    }

    /// CRC-32 (ISO 3309, as PNG uses it) of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}
