import CDcmtk
import DicomCore

/// Reads DICOM headers: every element up to, not including, Pixel Data.
/// Pixel Data is never loaded, and values above 4 KiB stay on disk unless a
/// text value is asked for. Text is converted to UTF-8 per Specific
/// Character Set.
public struct HeaderReader: Sendable {
    public init() {}

    /// Reads the header of the file at `path`; with `include`, only the
    /// top-level dataset elements it accepts are built (cheaper).
    public func read(_ path: String, include: ((Tag) -> Bool)? = nil) throws(DicomError) -> DicomHeader {
        var status: Int32 = 0
        guard let object = bp_open(path, Int32(BP_READ_HEADER | BP_READ_UTF8), &status) else {
            throw Dcmtk.error(status, path: path)
        }
        defer { bp_close(object) }
        return HeaderReader.header(of: object, path: path, include: include)
    }

    /// Builds the header model from an open shim object. With `latin1`, the
    /// values of the VRs a Specific Character Set applies to are read as
    /// ISO 8859-1 (an object of ISO_IR 100 that was not converted to UTF-8).
    static func header(of object: OpaquePointer, path: String, include: ((Tag) -> Bool)? = nil, latin1: Bool = false)
        -> DicomHeader
    {
        let xfer = Dcmtk.take(bp_transfer_syntax(object)) ?? ""
        return DicomHeader(
            path: path,
            transferSyntaxUID: xfer,
            meta: dataSet(bp_meta(object)),
            dataset: dataSet(bp_dataset(object), include: include, latin1: latin1),
            hasMetaHeader: bp_has_meta(object) == 1,
            textIsUTF8: bp_utf8_state(object) >= 0
        )
    }

    /// The VRs whose text a Specific Character Set applies to (PS3.5 6.1.2.3;
    /// the ones DCMTK's UTF-8 conversion converts).
    static let characterSetVRs: Set<VR> = [.SH, .LO, .ST, .LT, .UT, .PN, VR(rawValue: "UC")]

    /// Converts one shim item (and its sequences, recursively) into a
    /// DataSet. With `include`, only the top-level elements it accepts are
    /// built (their sequences in full): planning an edit needs a handful.
    static func dataSet(_ item: OpaquePointer?, depth: Int = 0, include: ((Tag) -> Bool)? = nil, latin1: Bool = false) -> DataSet {
        guard let item else { return DataSet(elements: []) }
        let count = bp_item_elements(item, nil, 0)
        var handles = [OpaquePointer?](repeating: nil, count: count)
        _ = handles.withUnsafeMutableBufferPointer { bp_item_elements(item, $0.baseAddress, count) }
        var elements: [DataElement] = []
        elements.reserveCapacity(include == nil ? count : 16)
        var info = bp_element_info()
        // Private creators of this item by group and block, taken as they are
        // read: DCMTK keeps an item sorted by tag, so (gggg,00xx) comes before
        // the elements (gggg,xxee) it names.
        var creators: [UInt32: String] = [:]
        for handle in handles {
            guard let handle, bp_element_get_info(handle, &info) == Int32(BP_OK) else { continue }
            let tag = Tag(info.group, info.element)
            if let include, !include(tag) && !tag.isPrivateCreator { continue }
            let vr = withUnsafeBytes(of: info.vr) { VR(rawValue: String(decoding: $0.prefix(2), as: UTF8.self)) }
            let value: ElementValue
            if info.item_count >= 0 {
                // Deeply nested sequences beyond 32 levels are kept as empty items.
                let items = depth < 32
                    ? (0..<Int(info.item_count)).map { dataSet(bp_element_sequence_item(handle, $0), depth: depth + 1, latin1: latin1) }
                    : []
                value = .sequence(items)
            } else if info.is_binary != 0 {
                // UN with a text VR in the dictionary is read as text (see the shim).
                var status: Int32 = 0
                if vr == .UN, let text = Dcmtk.take(bp_element_string(handle, &status)) {
                    value = .text(text)
                } else {
                    value = .binary(length: info.length)
                }
            } else {
                var status: Int32 = 0
                let text = bp_element_string(handle, &status)
                let latin = latin1 && HeaderReader.characterSetVRs.contains(vr)
                let decoded = (latin ? Dcmtk.takeLatin1(text) : Dcmtk.take(text)) ?? ""
                // DCMTK's conversion names the new character set in the dataset.
                value = .text(latin1 && depth == 0 && tag == Tag(0x0008, 0x0005) ? "ISO_IR 192" : decoded)
            }
            var creator: String?
            if tag.isPrivateCreator {
                if case .text(let text) = value { creators[UInt32(tag.group) << 16 | UInt32(tag.element)] = DataSet.trimmed(text) }
                if let include, !include(tag) { continue }
            } else if tag.isPrivate {
                creator = creators[UInt32(tag.group) << 16 | UInt32(tag.element >> 8)]
            }
            let keyword = Keywords.shared.keyword(for: tag, creator: creator)
            elements.append(DataElement(tag: tag, vr: vr, keyword: keyword, value: value))
        }
        return DataSet(elements: elements)
    }
}
