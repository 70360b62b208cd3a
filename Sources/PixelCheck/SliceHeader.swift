import DicomCore
import DicomIO

/// What the pixel check needs from one file's header: identity, geometry and
/// the rescale to Hounsfield units.
public struct SliceHeader: Sendable {
    public var path: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var modality: String?
    /// Image Type values, upper-cased (`ORIGINAL`, `PRIMARY`, `AXIAL`, `LOCALIZER`).
    public var imageType: [String]
    /// Image Position (Patient) of the first pixel, mm.
    public var position: Vector3?
    /// Row and column direction cosines of Image Orientation (Patient).
    public var rowDirection: Vector3?
    public var columnDirection: Vector3?
    /// Pixel Spacing: (between rows, between columns), mm.
    public var pixelSpacing: (row: Double, column: Double)?
    public var rescaleSlope: Double?
    public var rescaleIntercept: Double?
    public var frames: Int

    /// The slice normal (row × column), pointing towards the head (+z) when
    /// it has a z part; nil without an orientation.
    public var normal: Vector3? {
        guard let r = rowDirection, let c = columnDirection else { return nil }
        let n = r.cross(c).normalized
        return n.z < 0 ? -n : n
    }

    /// True for scout/localizer images (Image Type LOCALIZER).
    public var isLocalizer: Bool { imageType.contains("LOCALIZER") }

    /// The elements read (header only, stops before Pixel Data).
    package static let tags: Set<Tag> = [
        .studyInstanceUID, .seriesInstanceUID, .modality, .imageType, .imagePositionPatient,
        .imageOrientationPatient, Tag(0x0028, 0x0030), Tag(0x0028, 0x1052), Tag(0x0028, 0x1053), Tag(0x0028, 0x0008),
    ]

    /// Reads the header of `path`.
    public static func read(_ path: String) throws(DicomError) -> SliceHeader {
        let header = try HeaderReader().read(path) { tags.contains($0) }
        return SliceHeader(header)
    }

    /// Takes the pixel check's attributes from a header read elsewhere.
    public init(_ header: DicomHeader) {
        let ds = header.dataset
        path = header.path
        studyInstanceUID = header.studyInstanceUID ?? ""
        seriesInstanceUID = header.seriesInstanceUID ?? "no-series:\(header.path)"
        modality = header.modality?.uppercased()
        imageType = (ds.string(.imageType) ?? "").split(separator: "\\").map { DataSet.trimmed(String($0)).uppercased() }
        let ipp = SliceHeader.numbers(ds.string(.imagePositionPatient))
        position = ipp.count == 3 ? Vector3(ipp[0], ipp[1], ipp[2]) : nil
        let iop = SliceHeader.numbers(ds.string(.imageOrientationPatient))
        if iop.count == 6 {
            rowDirection = Vector3(iop[0], iop[1], iop[2])
            columnDirection = Vector3(iop[3], iop[4], iop[5])
        }
        let spacing = SliceHeader.numbers(ds.string(Tag(0x0028, 0x0030)))
        pixelSpacing = spacing.count == 2 && spacing[0] > 0 && spacing[1] > 0 ? (spacing[0], spacing[1]) : nil
        rescaleIntercept = SliceHeader.numbers(ds.string(Tag(0x0028, 0x1052))).first
        rescaleSlope = SliceHeader.numbers(ds.string(Tag(0x0028, 0x1053))).first
        frames = Int(SliceHeader.numbers(ds.string(Tag(0x0028, 0x0008))).first ?? 1)
    }

    /// For synthetic series in tests.
    public init(path: String, seriesInstanceUID: String, modality: String? = "CT", imageType: [String] = ["ORIGINAL", "PRIMARY", "AXIAL"],
                position: Vector3?, rowDirection: Vector3? = Vector3(1, 0, 0), columnDirection: Vector3? = Vector3(0, 1, 0),
                pixelSpacing: (row: Double, column: Double)? = (1, 1), rescaleSlope: Double? = 1, rescaleIntercept: Double? = 0) {
        self.path = path
        self.studyInstanceUID = ""
        self.seriesInstanceUID = seriesInstanceUID
        self.modality = modality
        self.imageType = imageType
        self.position = position
        self.rowDirection = rowDirection
        self.columnDirection = columnDirection
        self.pixelSpacing = pixelSpacing
        self.rescaleSlope = rescaleSlope
        self.rescaleIntercept = rescaleIntercept
        self.frames = 1
    }

    /// Decimal values of a multi-valued DS/IS text (`1\0\0`); invalid values dropped.
    static func numbers(_ text: String?) -> [Double] {
        guard let text else { return [] }
        return text.split(separator: "\\", omittingEmptySubsequences: false).compactMap {
            Double(DataSet.trimmed(String($0)))
        }
    }
}
