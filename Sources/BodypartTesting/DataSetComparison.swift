import DicomCore

/// Element comparisons that ignore what a rewrite legitimately recomputes.
public enum DataSetComparison {
    /// The elements without group length elements (gggg,0000), at every
    /// nesting level: a rewrite recalculates them.
    public static func withoutGroupLengths(_ elements: [DataElement]) -> [DataElement] {
        elements.filter { $0.tag.element != 0x0000 }.map { element in
            guard case .sequence(let items) = element.value else { return element }
            let stripped = items.map { DataSet(elements: withoutGroupLengths($0.elements)) }
            return DataElement(tag: element.tag, vr: element.vr, keyword: element.keyword, value: .sequence(stripped))
        }
    }

    /// The tags whose elements differ, for a short failure message.
    public static func differences(_ a: [DataElement], _ b: [DataElement]) -> String {
        let left = Dictionary(a.map { ($0.tag, $0) }, uniquingKeysWith: { x, _ in x })
        let right = Dictionary(b.map { ($0.tag, $0) }, uniquingKeysWith: { x, _ in x })
        let tags = Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
        let text = tags.map { tag in
            "\(tag): \(left[tag].map { "\($0.vr) \($0.value)" } ?? "absent") vs \(right[tag].map { "\($0.vr) \($0.value)" } ?? "absent")"
        }
        return String(text.joined(separator: "; ").prefix(600))
    }
}
