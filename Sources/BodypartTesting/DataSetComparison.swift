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

    /// True when `written` is `read`'s Pixel Data as a rewrite stores it: the
    /// same bytes, except that an encapsulated fragment of odd length (invalid,
    /// PS3.5 7.1.1) gets one pad byte, which DCMTK adds on every write.
    /// (`pixelDataBytes` format: each fragment's 4-byte length, then its bytes.)
    public static func samePixels(read: [UInt8], written: [UInt8]) -> Bool {
        if read == written { return true }
        var padded: [UInt8] = []
        var i = 0
        while i + 4 <= read.count {
            let n = Int(read[i]) | Int(read[i + 1]) << 8 | Int(read[i + 2]) << 16 | Int(read[i + 3]) << 24
            guard i + 4 + n <= read.count else { return false }
            let even = n + (n & 1)
            padded += (0..<4).map { UInt8(truncatingIfNeeded: even >> (8 * $0)) }
            padded += read[(i + 4)..<(i + 4 + n)]
            if n & 1 == 1 { padded.append(0) }
            i += 4 + n
        }
        return i == read.count && padded == written
    }
}
