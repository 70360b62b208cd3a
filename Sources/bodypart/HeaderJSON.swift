import DicomCore

/// The JSON shape of a header, shared by `tags` and other commands.
enum HeaderJSON {
    /// One object per file: identity, transfer syntax, the classifier's
    /// attributes by keyword, Anatomic Region Sequence codes, the bodypart
    /// private block when present, and with `allElements` every element.
    static func object(for header: DicomHeader, allElements: Bool) -> JSON {
        var pairs: [(String, JSON)] = [
            ("path", .string(header.path)),
            ("sopInstanceUID", .string(header.sopInstanceUID)),
            ("seriesInstanceUID", .string(header.seriesInstanceUID)),
            ("studyInstanceUID", .string(header.studyInstanceUID)),
            ("sopClassUID", .string(header.sopClassUID)),
            ("modality", .string(header.modality)),
            ("transferSyntaxUID", .string(header.transferSyntaxUID)),
        ]
        let attributes = header.classifierAttributes
        for keyword in Tag.classifierKeywords where keyword != "Modality" && keyword != "SOPClassUID" {
            if let value = attributes[keyword] { pairs.append((keyword, .string(value))) }
        }
        let regions = header.dataset.items(.anatomicRegionSequence)
        if !regions.isEmpty { pairs.append(("AnatomicRegionSequence", .array(regions.map(code)))) }
        let privateBlock = header.dataset.elements.filter { $0.keyword.hasPrefix("BodyPart") && $0.tag.isPrivate }
        if !privateBlock.isEmpty {
            pairs.append(("BodyPartPrediction", .object(privateBlock.map { ($0.keyword, .string($0.text ?? "")) })))
        }
        if !header.textIsUTF8 { pairs.append(("warning", .string("character set not converted; values as stored"))) }
        if allElements {
            pairs.append(("meta", elements(header.meta)))
            pairs.append(("elements", elements(header.dataset)))
        }
        return .object(pairs)
    }

    static func code(_ item: DataSet) -> JSON {
        .object([
            ("value", .string(item.string(.codeValue))),
            ("scheme", .string(item.string(.codingSchemeDesignator))),
            ("meaning", .string(item.string(.codeMeaning))),
        ])
    }

    /// Every element: tag, keyword, VR and value (text, byte count, or items).
    static func elements(_ set: DataSet) -> JSON {
        .array(
            set.elements.map { element in
                var pairs: [(String, JSON)] = [("tag", .string(element.tag.description))]
                if !element.keyword.isEmpty { pairs.append(("keyword", .string(element.keyword))) }
                pairs.append(("vr", .string(element.vr.rawValue)))
                switch element.value {
                case .text(let text): pairs.append(("value", .string(DataSet.trimmed(text))))
                case .binary(let length): pairs.append(("bytes", .int(length == UInt32.max ? -1 : Int(length))))
                case .sequence(let items): pairs.append(("items", .array(items.map(elements))))
                }
                return .object(pairs)
            })
    }
}
