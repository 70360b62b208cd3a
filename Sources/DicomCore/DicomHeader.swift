/// The header of one DICOM file: meta information and dataset up to (not
/// including) Pixel Data.
public struct DicomHeader: Sendable, Hashable {
    /// Where it was read from.
    public let path: String
    /// Transfer syntax UID the dataset is encoded in.
    public let transferSyntaxUID: String
    /// File meta information (group 0002); empty for bare datasets.
    public let meta: DataSet
    /// The dataset, without Pixel Data.
    public let dataset: DataSet
    /// False when the file was a bare dataset without a Part 10 header.
    public let hasMetaHeader: Bool
    /// False when Specific Character Set named a set that could not be
    /// converted; values are then as stored.
    public let textIsUTF8: Bool

    public init(
        path: String, transferSyntaxUID: String, meta: DataSet, dataset: DataSet, hasMetaHeader: Bool,
        textIsUTF8: Bool
    ) {
        self.path = path
        self.transferSyntaxUID = transferSyntaxUID
        self.meta = meta
        self.dataset = dataset
        self.hasMetaHeader = hasMetaHeader
        self.textIsUTF8 = textIsUTF8
    }

    public var sopInstanceUID: String? { dataset.string(.sopInstanceUID) }
    public var seriesInstanceUID: String? { dataset.string(.seriesInstanceUID) }
    public var studyInstanceUID: String? { dataset.string(.studyInstanceUID) }
    public var sopClassUID: String? { dataset.string(.sopClassUID) ?? meta.string(Tag(0x0002, 0x0002)) }
    public var modality: String? { dataset.string(.modality) }

    /// The classifier's attributes by keyword (present, non-empty values only).
    public var classifierAttributes: [String: String] {
        var result: [String: String] = [:]
        for keyword in Tag.classifierKeywords {
            guard let tag = Tag.byKeyword[keyword], let value = dataset.string(tag) else { continue }
            result[keyword] = value
        }
        return result
    }
}
