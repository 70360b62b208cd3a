/// The value of one data element as bodypart sees it.
public enum ElementValue: Sendable, Hashable {
    /// Text or numbers as text; multiple values joined with `\`, as stored
    /// (after conversion to UTF-8 when the reader was asked for it).
    case text(String)
    /// Sequence items.
    case sequence([DataSet])
    /// Bytes that are not read into the header model (OB, OW, UN, Pixel Data…).
    case binary(length: UInt32)
}

/// One data element: tag, VR, keyword from the dictionary, value.
public struct DataElement: Sendable, Hashable {
    public let tag: Tag
    public let vr: VR
    /// Dictionary keyword (`BodyPartExamined`), or empty when unknown.
    public let keyword: String
    public let value: ElementValue

    public init(tag: Tag, vr: VR, keyword: String, value: ElementValue) {
        self.tag = tag
        self.vr = vr
        self.keyword = keyword
        self.value = value
    }

    /// The text value with DICOM padding (trailing spaces, NUL) removed.
    public var text: String? {
        guard case .text(let value) = value else { return nil }
        return DataSet.trimmed(value)
    }
}

/// An ordered set of data elements: a dataset, the meta header, or a
/// sequence item.
public struct DataSet: Sendable, Hashable {
    /// Elements in ascending tag order.
    public let elements: [DataElement]

    public init(elements: [DataElement]) {
        self.elements = elements
    }

    /// The element with this tag, if present.
    public subscript(tag: Tag) -> DataElement? {
        var low = 0
        var high = elements.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let candidate = elements[mid].tag
            if candidate == tag { return elements[mid] }
            if candidate < tag { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// The trimmed text value of this tag; nil when absent, empty or not text.
    public func string(_ tag: Tag) -> String? {
        guard let text = self[tag]?.text, !text.isEmpty else { return nil }
        return text
    }

    /// The items of a sequence element (empty when absent).
    public func items(_ tag: Tag) -> [DataSet] {
        guard case .sequence(let items)? = self[tag]?.value else { return [] }
        return items
    }

    /// Removes DICOM value padding: trailing spaces and NULs, leading spaces.
    public static func trimmed(_ value: String) -> String {
        var scalars = Substring(value)
        while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
        while let first = scalars.first, first == " " { scalars.removeFirst() }
        return String(scalars)
    }
}
