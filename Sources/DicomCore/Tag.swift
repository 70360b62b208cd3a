/// A DICOM attribute tag: (group,element), as in PS3.5 §7.1.
public struct Tag: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The group number.
    public let group: UInt16
    /// The element number.
    public let element: UInt16

    /// Creates a tag from its group and element numbers.
    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// Parses `(0018,0015)`, `0018,0015` or `00180015`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharactersInSpaces
        guard trimmed.allSatisfy({ $0.isHexDigit || $0 == "(" || $0 == ")" || $0 == "," }) else { return nil }
        let hex = trimmed.filter { $0.isHexDigit }
        guard hex.count == 8, let value = UInt32(hex, radix: 16) else { return nil }
        self.init(UInt16(value >> 16), UInt16(value & 0xFFFF))
    }

    /// True for tags in odd groups (private data elements).
    public var isPrivate: Bool { group & 1 == 1 && group > 0x0008 }

    /// True for private creator elements (gggg,0010-00FF).
    public var isPrivateCreator: Bool { isPrivate && (0x0010...0x00FF).contains(element) }

    /// `(gggg,eeee)` in upper-case hex.
    public var description: String { "(\(Tag.hex4(group)),\(Tag.hex4(element)))" }

    public static func < (lhs: Tag, rhs: Tag) -> Bool {
        (lhs.group, lhs.element) < (rhs.group, rhs.element)
    }

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

extension String {
    var trimmingCharactersInSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
