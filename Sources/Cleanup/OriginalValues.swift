import DicomCore

/// The values an object had before bodypart first changed it.
///
/// bodypart records every standard value it replaces in an Original
/// Attributes Sequence item whose Modifying System is bodypart's. The first
/// such item holds the values as they came from the modality. Decisions and
/// features are computed on those original values, so that running the
/// filter again on its own output reaches the same decision (idempotence),
/// and a newer model judges what the modality sent, not what an older model
/// wrote.
public enum OriginalValues {
    /// The Modifying System bodypart writes into Original Attributes Sequence.
    public static let modifyingSystem = "BODYPART"

    /// The attributes bodypart may change.
    public static let managedTags: [Tag] = [
        .bodyPartExamined, .studyDescription, .seriesDescription, .anatomicRegionSequence,
    ]

    /// For each managed tag that bodypart changed before: its first original
    /// value (nil when it was absent or empty).
    public static func recorded(in dataset: DataSet) -> [Tag: String?] {
        var result: [Tag: String?] = [:]
        for item in dataset.items(.originalAttributesSequence)
        where item.string(.modifyingSystem) == modifyingSystem {
            for modified in item.items(.modifiedAttributesSequence) {
                for element in modified.elements where managedTags.contains(element.tag) && result[element.tag] == nil {
                    result[element.tag] = .some(element.text.flatMap { $0.isEmpty ? nil : $0 })
                }
            }
        }
        return result
    }

    /// The classifier's attributes as the modality sent them: current values
    /// with bodypart's own changes undone.
    public static func originalAttributes(of header: DicomHeader) -> [String: String] {
        var attributes = header.classifierAttributes
        for (tag, value) in recorded(in: header.dataset) {
            guard let keyword = Tag.byKeyword.first(where: { $0.value == tag })?.key,
                  Tag.classifierKeywords.contains(keyword)
            else { continue }
            attributes[keyword] = value
        }
        return attributes
    }
}
