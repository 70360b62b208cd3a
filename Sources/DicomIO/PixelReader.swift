import CDcmtk
import DicomCore

/// Decoded pixel values of one file: the stored values (no rescale, no LUT),
/// signed or unsigned per Pixel Representation, frame after frame.
public struct DecodedPixels: Sendable {
    /// Which library decoded them.
    public enum Decoder: String, Sendable {
        /// Uncompressed: read as stored.
        case native
        /// A DCMTK codec (JPEG, JPEG-LS, RLE).
        case dcmtk
        /// GDCM (JPEG 2000).
        case gdcm
    }

    public let rows: Int
    public let columns: Int
    public let frames: Int
    /// 1 for CT; values of several samples are interleaved.
    public let samplesPerPixel: Int
    public let bitsStored: Int
    public let isSigned: Bool
    public let decoder: Decoder
    /// rows × columns × samplesPerPixel values per frame, row after row.
    public let values: [Float]

    /// The values of frame `index` (0-based).
    public func frame(_ index: Int) -> ArraySlice<Float> {
        let size = rows * columns * samplesPerPixel
        return values[(index * size)..<((index + 1) * size)]
    }
}

/// Reads and decodes Pixel Data through the shim (DCMTK codecs, GDCM for
/// JPEG 2000). Safe to use from several threads at once.
public struct PixelReader: Sendable {
    public init() {}

    /// Decodes every frame of the file at `path`. Throws `.unsupported` for
    /// a transfer syntax no codec here can decode, `.invalidEdit` (not found)
    /// when the object has no Pixel Data.
    public func read(_ path: String) throws(DicomError) -> DecodedPixels {
        var info = bp_pixel_info()
        var status: Int32 = 0
        guard let pointer = bp_pixels_read(path, &info, &status) else { throw Dcmtk.error(status, path: path) }
        defer { bp_free(pointer) }
        let count = Int(info.rows) * Int(info.columns) * Int(info.frames) * Int(info.samples_per_pixel)
        let decoder: DecodedPixels.Decoder =
            switch Int(info.decoder) {
            case Int(BP_DECODER_DCMTK): .dcmtk
            case Int(BP_DECODER_GDCM): .gdcm
            default: .native
            }
        return DecodedPixels(
            rows: Int(info.rows), columns: Int(info.columns), frames: Int(info.frames),
            samplesPerPixel: Int(info.samples_per_pixel), bitsStored: Int(info.bits_stored),
            isSigned: info.pixel_representation == 1, decoder: decoder,
            values: Array(UnsafeBufferPointer(start: pointer, count: count)))
    }
}
