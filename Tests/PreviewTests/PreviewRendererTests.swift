import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Preview

/// Previews of the real CT volumes of dicom-dev and of the awkward cases:
/// a single slice, a non-axial stack, missing rescale, compressed syntaxes,
/// other modalities, files that are not DICOM at all.
@Suite struct PreviewRendererTests {
    init() throws { try Dcmtk.setUp(privateDictionary: nil) }

    static func dev(_ relative: String) -> URL { TestEnvironment.dicomDevFiles.appendingPathComponent(relative) }

    struct Volume: Sendable, CustomTestStringConvertible {
        var folder: String
        var slices: Int
        var testDescription: String { folder }
    }

    /// The four complete volumes (native, JPEG lossless, 68 slices, tilted head).
    static let volumes: [Volume] = [
        Volume(folder: "plotly__dash-vtk/demos/data/ct_lung", slices: 30),
        Volume(folder: "plotly__dash-vtk@e50bf6d/demos/data/ct_scans", slices: 32),
        Volume(folder: "plotly__dash-vtk@46b4801/demos/data/ct_whole_body", slices: 68),
        Volume(folder: "neurolabusc__dcm_qa_ct/In/GE", slices: 28),
    ]

    @Test(arguments: volumes)
    func ctVolume(_ volume: Volume) throws {
        let files = TestEnvironment.files(under: Self.dev(volume.folder))
        let previews = PreviewRenderer().render(files)
        #expect(previews.window == .ctSoftTissue)
        let mid = try #require(previews.mid.image, "\(previews.mid.caption)")
        let coronal = try #require(previews.coronal.image, "\(previews.coronal.caption)")
        #expect(max(mid.width, mid.height) == 256, "mid \(mid.width)×\(mid.height)")
        #expect(max(coronal.width, coronal.height) <= 256)
        #expect(
            previews.mid.caption.contains("slice \(volume.slices / 2 + 1) of \(volume.slices)"),
            "\(previews.mid.caption)")
        #expect(previews.coronal.caption.contains("\(volume.slices) slices"), "\(previews.coronal.caption)")
        // The coronal aspect is the z span over the field of view.
        let geometry = try Self.geometry(files)
        let expected = geometry.spanMM / geometry.widthMM
        let actual = Double(coronal.height) / Double(coronal.width)
        #expect(
            abs(actual - expected) <= 2.0 / Double(coronal.width) + 0.01,
            "coronal \(coronal.width)×\(coronal.height), span \(geometry.spanMM) mm, width \(geometry.widthMM) mm")
        // Not blank: soft tissue, air and bone give a wide spread of gray levels.
        #expect(mid.variance > 1_000, "mid variance \(mid.variance)")
        #expect(coronal.variance > 1_000, "coronal variance \(coronal.variance)")
        // The PNGs decode (libpng) to the same pixels.
        #expect(try PNGEncoderTests.decodeWithNetpbm(try #require(previews.mid.png)) == mid)
        #expect(try PNGEncoderTests.decodeWithNetpbm(try #require(previews.coronal.png)) == coronal)
    }

    /// ct_lung: 30 slices 8 mm apart from z 328 to 96 (240 mm with one gap),
    /// 512² at 0.646 mm (331 mm): the coronal is 256 wide, 186 high; head at
    /// the top means the lung apices (dark) are in the upper rows and the
    /// upper abdomen (soft tissue) in the lowest.
    @Test func lungCoronalIsHeadUp() throws {
        let files = TestEnvironment.files(under: Self.dev("plotly__dash-vtk/demos/data/ct_lung"))
        let previews = PreviewRenderer().render(files)
        let coronal = try #require(previews.coronal.image)
        let geometry = try Self.geometry(files)
        #expect(abs(geometry.spanMM - 240) < 0.5, "span \(geometry.spanMM)")
        #expect(coronal.width == 256 && coronal.height == 186, "\(coronal.width)×\(coronal.height)")
        // The middle half of the width (the lungs and mediastinum, not the arms).
        func meanGray(rows: Range<Int>) -> Double {
            var sum = 0, n = 0
            for y in rows {
                for x in (coronal.width / 4)..<(coronal.width * 3 / 4) { sum += Int(coronal[x, y]); n += 1 }
            }
            return Double(sum) / Double(n)
        }
        let h = coronal.height
        let upperChest = meanGray(rows: (h / 5)..<(h * 2 / 5)), bottom = meanGray(rows: (h * 9 / 10)..<h)
        #expect(upperChest + 20 < bottom, "upper chest \(upperChest), lowest rows \(bottom)")
    }

    @Test func singleSliceHasNoCoronal() throws {
        let previews = PreviewRenderer().render([TestEnvironment.samples.appendingPathComponent("dev-0139-ct.dcm").path]
        )
        let mid = try #require(previews.mid.image)
        #expect(mid.width == 256 && mid.height == 256 && mid.variance > 1_000)
        #expect(previews.coronal.image == nil)
        #expect(previews.coronal.caption.hasPrefix("single slice"), "\(previews.coronal.caption)")
    }

    /// ct_lung with Image Orientation (Patient) rewritten to sagittal: the
    /// mid slice is shown, the coronal reformat is skipped with the reason.
    @Test func nonAxialStack() throws {
        let folder = try TestEnvironment.temporaryFolder("preview-sagittal")
        defer { TestEnvironment.remove(folder) }
        let files = try Self.rewrite(
            TestEnvironment.files(under: Self.dev("plotly__dash-vtk/demos/data/ct_lung")), into: folder
        ) { path in
            let z = try Self.position(of: path)[2]
            return [
                .set(.imageOrientationPatient, .DS, "0\\1\\0\\0\\0\\-1"),
                .set(.imagePositionPatient, .DS, "\(z)\\-180\\180"),
            ]
        }
        let previews = PreviewRenderer().render(files)
        #expect(previews.mid.image != nil)
        #expect(previews.coronal.image == nil)
        #expect(previews.coronal.caption.contains("not axial"), "\(previews.coronal.caption)")
    }

    /// Rescale tags removed: the intercept is inferred from the air, the CT
    /// window kept, and the picture equals the one with the tags.
    @Test func missingRescale() throws {
        let folder = try TestEnvironment.temporaryFolder("preview-rescale")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.files(under: Self.dev("plotly__dash-vtk/demos/data/ct_lung"))
        let files = try Self.rewrite(source, into: folder) { _ in
            [.remove(Tag(0x0028, 0x1052)), .remove(Tag(0x0028, 0x1053))]
        }
        let previews = PreviewRenderer().render(files)
        #expect(previews.window == .ctSoftTissue)
        #expect(previews.notes.contains { $0.contains("intercept -1024 inferred") }, "\(previews.notes)")
        let original = PreviewRenderer().render(source)
        #expect(previews.mid.image == original.mid.image)
        #expect(previews.coronal.image == original.coronal.image)
    }

    /// JPEG lossless (DCMTK), JPEG 2000 (GDCM), RLE: decoded, not blank.
    @Test(arguments: [
        "orthanc-mirrors__orthanc-tests/Database/Formats/JpegLossless.dcm",
        "orthanc-mirrors__orthanc-tests/Database/Formats/Rle.dcm",
        "pydicom__pylibjpeg-data/ljdata/ds/JPEG2000/MAROTECH_CT_JP2Lossy.dcm",
        "pydicom__pylibjpeg-data/ljdata/ds/JPEG2000Lossless/TOSHIBA_J2K_SIZ0_PixRep1.dcm",
    ])
    func compressed(_ relative: String) throws {
        let previews = PreviewRenderer().render([Self.dev(relative).path])
        let mid = try #require(previews.mid.image, "\(previews.mid.caption)")
        #expect(mid.variance > 100, "variance \(mid.variance)")
        #expect(previews.coronal.image == nil)
    }

    /// MR: a percentile window. CR stored MONOCHROME1 (largest value
    /// darkest): the inverse of the same file relabelled MONOCHROME2.
    @Test func otherModalities() throws {
        let mr = PreviewRenderer().render([TestEnvironment.samples.appendingPathComponent("dev-0155-mr.dcm").path])
        let image = try #require(mr.mid.image)
        #expect(
            mr.window?.description.hasPrefix("0.5–99.5 percentile window") == true, "\(String(describing: mr.window))")
        #expect(image.variance > 100)
        let crPath = Self.dev("ivmartel__dwv/tests/data/gdcm-CR-MONO1-10-chest.dcm").path
        let cr = try #require(PreviewRenderer().render([crPath]).mid.image)
        #expect(cr.width == 256 && cr.height == 256 && cr.variance > 100)
        let folder = try TestEnvironment.temporaryFolder("preview-mono")
        defer { TestEnvironment.remove(folder) }
        let relabelled = try Self.rewrite([crPath], into: folder) { _ in [.set(Tag(0x0028, 0x0004), .CS, "MONOCHROME2")]
        }
        let plain = try #require(PreviewRenderer().render(relabelled).mid.image)
        #expect(cr.pixels == plain.pixels.map { 255 - $0 })
    }

    /// RGB (eight frames, native): shown as luminance, middle frame.
    @Test func colourMultiFrame() throws {
        let path = Self.dev(
            "cornerstonejs__dicomParser/testImages/encapsulated/multi-frame/IM00001.implicit_little_endian.dcm"
        ).path
        let previews = PreviewRenderer().render([path])
        let mid = try #require(previews.mid.image, "\(previews.mid.caption)")
        #expect(mid.variance > 100)
        #expect(previews.notes.contains { $0.contains("frame 5 of 8") }, "\(previews.notes)")
        #expect(previews.notes.contains { $0.contains("3 samples per pixel") })
        #expect(
            previews.coronal.image == nil && previews.coronal.caption.hasPrefix("multi-frame"),
            "\(previews.coronal.caption)")
    }

    @Test func nothingUsable() throws {
        let none = PreviewRenderer().render([])
        #expect(none.mid.image == nil && none.coronal.image == nil && none.mid.caption == "no files")
        let text = PreviewRenderer().render(["/etc/hostname", "/no/such/file.dcm"])
        #expect(text.mid.image == nil && text.mid.caption.hasPrefix("no readable DICOM file"), "\(text.mid.caption)")
        // A header without Pixel Data (the sample keeps only the header).
        let header = PreviewRenderer().render([TestEnvironment.samples.appendingPathComponent("dev-0159-cr.dcm").path])
        #expect(
            header.mid.image == nil && header.mid.caption.hasPrefix("no slice could be decoded"),
            "\(header.mid.caption)")
        #expect(header.mid.caption.contains("no Pixel Data") && header.coronal.image == nil)
    }

    // MARK: Helpers

    static func position(of path: String) throws -> [Double] {
        let header = try HeaderReader().read(path) { $0 == .imagePositionPatient }
        return (header.dataset.string(.imagePositionPatient) ?? "").split(separator: "\\").compactMap {
            Double(String($0))
        }
    }

    /// Field width and z span of an axial series from its headers.
    static func geometry(_ files: [String]) throws -> (widthMM: Double, spanMM: Double) {
        var zs: [Double] = []
        var width = 0.0
        for file in files {
            let header = try HeaderReader().read(file)
            let ds = header.dataset
            let ipp = (ds.string(.imagePositionPatient) ?? "").split(separator: "\\").compactMap { Double(String($0)) }
            let iop = (ds.string(.imageOrientationPatient) ?? "").split(separator: "\\").compactMap {
                Double(String($0))
            }
            let r = (iop[0], iop[1], iop[2]), c = (iop[3], iop[4], iop[5])
            var n = (r.1 * c.2 - r.2 * c.1, r.2 * c.0 - r.0 * c.2, r.0 * c.1 - r.1 * c.0)
            if n.2 < 0 { n = (-n.0, -n.1, -n.2) }
            let length = (n.0 * n.0 + n.1 * n.1 + n.2 * n.2).squareRoot()
            zs.append((ipp[0] * n.0 + ipp[1] * n.1 + ipp[2] * n.2) / length)
            let spacing = (ds.string(Tag(0x0028, 0x0030)) ?? "").split(separator: "\\").compactMap {
                Double(String($0))
            }
            let columns = try #require(ds.string(Tag(0x0028, 0x0011)).flatMap { Double($0) })
            width = spacing[1] * columns
        }
        zs.sort(by: >)
        let gaps = zip(zs, zs.dropFirst()).map { $0 - $1 }.sorted()
        return (width, zs.first! - zs.last! + gaps[gaps.count / 2])
    }

    /// Copies `files` into `folder` with the edits `edits(path)` applied.
    static func rewrite(_ files: [String], into folder: URL, _ edits: (String) throws -> [Edit]) throws -> [String] {
        try files.map { path in
            let object = try DicomObject(path: path)
            try object.apply(try edits(path))
            let target = folder.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
            try AtomicWriter.write(object, to: target, permissions: 0o644)
            return target
        }
    }
}
