import BodypartTesting
import DicomCore
import DicomIO
import Testing

/// Pixel decoding through the shim: native, DCMTK codecs and GDCM.
@Suite struct PixelReaderTests {
    init() throws { try Dcmtk.setUp(privateDictionary: nil) }

    static func file(_ relative: String) -> String {
        TestEnvironment.dicomDevFiles.appendingPathComponent(relative).path
    }

    @Test(arguments: [
        ("plotly__dash-vtk/demos/data/ct_lung/1-01.dcm", DecodedPixels.Decoder.native),
        ("plotly__dash-vtk@e50bf6d/demos/data/ct_scans/1-001.dcm", .dcmtk),
        ("orthanc-mirrors__orthanc-tests/Database/Formats/JpegLossless.dcm", .dcmtk),
        ("orthanc-mirrors__orthanc-tests/Database/Formats/Rle.dcm", .dcmtk),
        ("pydicom__pylibjpeg-data/ljdata/ds/JPEG2000/MAROTECH_CT_JP2Lossy.dcm", .gdcm),
        ("pydicom__pylibjpeg-data/ljdata/ds/JPEG2000Lossless/TOSHIBA_J2K_SIZ0_PixRep1.dcm", .gdcm),
    ])
    func decodes(relative: String, decoder: DecodedPixels.Decoder) throws {
        let pixels = try PixelReader().read(Self.file(relative))
        #expect(pixels.decoder == decoder)
        #expect(pixels.values.count == pixels.rows * pixels.columns * pixels.frames * pixels.samplesPerPixel)
        #expect(pixels.rows > 0 && pixels.columns > 0)
        let distinct = Set(pixels.values.prefix(100_000)).count
        #expect(distinct > 10, "an image, not a constant")
    }

    @Test func notDicomIsAnError() throws {
        #expect(throws: DicomError.self) { try PixelReader().read("/etc/hostname") }
    }
}
