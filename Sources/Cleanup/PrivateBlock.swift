import DicomCore

/// bodypart's private prediction block: creator `BODYPART PREDICTION 1` in
/// odd group 0077, elements at (0077,xxee) where xx is the block reserved for
/// the creator (PS3.5 §7.8.1). Layout documented in docs/private-tags.md and
/// Rules/private.dic; it is a published interface: never renumber.
public enum PrivateBlock {
    public static let group: UInt16 = 0x0077
    public static let creator = "BODYPART PREDICTION 1"

    /// Element offsets (the low byte of the element number) and VRs.
    public enum Element: UInt8, CaseIterable, Sendable {
        case predictedBodyPart = 0x01
        case codeValue = 0x02
        case codingScheme = 0x03
        case codeMeaning = 0x04
        case confidence = 0x05
        case source = 0x06
        case decision = 0x07
        case modelID = 0x08
        case hangingCategory = 0x09
        case originalBodyPartExamined = 0x0A
        case dateTime = 0x0B
        case reason = 0x0C
        case pixelBodyPart = 0x0D
        case pixelConfidence = 0x0E

        public var vr: VR {
            switch self {
            case .predictedBodyPart, .source, .decision, .pixelBodyPart: .CS
            case .codeValue, .codingScheme: .SH
            case .codeMeaning, .modelID, .hangingCategory, .originalBodyPartExamined: .LO
            case .confidence, .pixelConfidence: .DS
            case .dateTime: .DT
            case .reason: .LT
            }
        }
    }

    /// The block's current values in `dataset`, by element (empty when absent).
    public static func values(in dataset: DataSet) -> [Element: String] {
        guard let creatorElement = dataset.elements.first(where: {
            $0.tag.group == group && $0.tag.isPrivateCreator && $0.text == creator
        }) else { return [:] }
        let block = creatorElement.tag.element
        var result: [Element: String] = [:]
        for element in Element.allCases {
            if let text = dataset[Tag(group, block << 8 | UInt16(element.rawValue))]?.text { result[element] = text }
        }
        return result
    }

    /// The tag of the creator element when the block is present.
    public static func creatorTag(in dataset: DataSet) -> Tag? {
        dataset.elements.first { $0.tag.group == group && $0.tag.isPrivateCreator && $0.text == creator }?.tag
    }
}
