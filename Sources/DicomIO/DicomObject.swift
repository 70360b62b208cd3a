import CDcmtk
import DicomCore

/// A whole DICOM object in memory, ready to edit and write. Pixel Data and
/// every element not named by an edit are written back as they were read, in
/// the original transfer syntax.
///
/// Not `Sendable`: one owner at a time (it wraps a DCMTK object).
public final class DicomObject {
    /// The shim handle, for the package's other shim users (DicomNet sends an
    /// edited object from memory with it); not public API. Valid while the object lives.
    package let handle: OpaquePointer
    /// Where it was read from ("" for objects received from the network).
    public let path: String

    /// Reads the whole file into memory (large values included, so the file
    /// may then be replaced safely).
    public init(path: String) throws(DicomError) {
        var status: Int32 = 0
        guard let handle = bp_open(path, Int32(BP_READ_FULL), &status) else {
            throw Dcmtk.error(status, path: path)
        }
        self.handle = handle
        self.path = path
    }

    /// Parses the whole file but leaves values above 4 KiB (Pixel Data) on
    /// disk: they are read from the file when the object is written. One
    /// parse serves both reading the header and writing the edited object
    /// (`clean` keeps the scan's object for the write), but the file must
    /// not change until the object is saved or released: save it to a
    /// temporary file before the original is replaced (`AtomicWriter` does).
    public init(lazilyReading path: String) throws(DicomError) {
        var status: Int32 = 0
        guard let handle = bp_open(path, Int32(BP_READ_FULL | BP_READ_LAZY), &status) else {
            throw Dcmtk.error(status, path: path)
        }
        self.handle = handle
        self.path = path
    }

    /// Parses a bare dataset received in `transferSyntaxUID` (no meta header).
    public init(datasetBytes: [UInt8], transferSyntaxUID: String, label: String) throws(DicomError) {
        var status: Int32 = 0
        let opened = datasetBytes.withUnsafeBytes { bp_open_buffer($0.baseAddress, $0.count, transferSyntaxUID, &status) }
        guard let opened else { throw Dcmtk.error(status, path: label) }
        self.handle = opened
        self.path = label
    }

    deinit { bp_close(handle) }

    /// The header model (values as stored, not converted to UTF-8).
    public var header: DicomHeader { HeaderReader.header(of: handle, path: path) }

    /// The header with only the top-level elements `include` accepts (plus
    /// private creators) in its dataset: cheaper than `header`.
    public func header(including include: @escaping (Tag) -> Bool) -> DicomHeader {
        HeaderReader.header(of: handle, path: path, include: include)
    }

    /// The header with only the top-level elements `include` accepts, its
    /// text in UTF-8 as `HeaderReader` reads it (which converts the object
    /// itself); nil when the Specific Character Set needs DCMTK's converter
    /// (anything but ASCII, UTF-8 and ISO_IR 100): then read the header
    /// with `HeaderReader`. The object is not changed.
    public func utf8Header(including include: @escaping (Tag) -> Bool) -> DicomHeader? {
        let kind = bp_charset_kind(handle)
        guard kind != Int32(BP_CHARSET_OTHER) else { return nil }
        return HeaderReader.header(of: handle, path: path, include: include, latin1: kind == Int32(BP_CHARSET_LATIN1))
    }

    /// Only the top-level elements `include` accepts (with their sequences),
    /// plus private creators: cheaper than `header` when a few are needed.
    public func dataset(including include: @escaping (Tag) -> Bool) -> DataSet {
        HeaderReader.dataSet(bp_dataset(handle), include: include)
    }

    /// True when the source was a Part 10 file with a meta header.
    public var hasMetaHeader: Bool { bp_has_meta(handle) == 1 }

    /// Applies edits in order. On error the object may be partly edited:
    /// discard it (nothing has been written).
    public func apply(_ edits: [Edit]) throws(DicomError) {
        guard let dataset = bp_dataset(handle) else { throw .malformed(path: path, detail: "no dataset") }
        for edit in edits { try apply(edit, to: dataset) }
    }

    /// Writes the object to `path` (no sync, no rename: see `AtomicWriter`).
    func save(to target: String) throws(DicomError) {
        let status = bp_save(handle, target, hasMetaHeader ? 1 : 0)
        guard status == Int32(BP_OK) else { throw Dcmtk.error(status, path: target) }
    }

    private func check(_ status: Int32) throws(DicomError) {
        guard status == Int32(BP_OK) else { throw .invalidEdit(path: path, detail: Dcmtk.lastError) }
    }

    private func apply(_ edit: Edit, to item: OpaquePointer) throws(DicomError) {
        switch edit {
        case .set(let tag, let vr, let value):
            try check(bp_item_put_string(item, tag.group, tag.element, vr.rawValue, value, nil))
        case .remove(let tag):
            try check(bp_item_delete(item, tag.group, tag.element))
        case .setSequence(let tag, let items):
            try check(bp_item_delete(item, tag.group, tag.element))
            if items.isEmpty { try check(bp_item_put_empty(item, tag.group, tag.element)) }
            for itemEdits in items {
                let child = try appendItem(item, tag)
                for edit in itemEdits { try apply(edit, to: child) }
            }
        case .recordOriginals(let tags, let dateTime, let system, let source, let reason):
            let original = try appendItem(item, .originalAttributesSequence)
            let modified = try appendItem(original, .modifiedAttributesSequence)
            for tag in tags {
                let status = bp_item_copy_element(item, tag.group, tag.element, modified)
                if status == Int32(BP_E_NOT_FOUND) {
                    // Absent before: recorded with an empty value (PS3.3 C.12.1.1.9.2).
                    try check(bp_item_put_empty(modified, tag.group, tag.element))
                } else {
                    try check(status)
                }
            }
            try check(bp_item_put_string(original, 0x0400, 0x0562, "DT", dateTime, nil))
            try check(bp_item_put_string(original, 0x0400, 0x0563, "LO", system, nil))
            try check(bp_item_put_string(original, 0x0400, 0x0564, "LO", source, nil))
            try check(bp_item_put_string(original, 0x0400, 0x0565, "CS", reason, nil))
        case .restoreOriginals(let index, let absent):
            guard let original = bp_item_sequence_item_by_tag(item, Tag.originalAttributesSequence, index),
                  let modified = bp_item_sequence_item_by_tag(original, Tag.modifiedAttributesSequence, 0)
            else { throw .invalidEdit(path: path, detail: "Original Attributes Sequence has no item \(index) to restore") }
            var info = bp_element_info()
            var tags: [Tag] = []
            for i in 0..<bp_item_count(modified) where bp_item_element(modified, i, &info) == Int32(BP_OK) {
                tags.append(Tag(info.group, info.element))
            }
            for tag in tags {
                if absent.contains(tag) {
                    try check(bp_item_delete(item, tag.group, tag.element))
                } else {
                    try check(bp_item_copy_element(modified, tag.group, tag.element, item))
                }
            }
            try check(bp_item_remove_sequence_item(item, Tag.originalAttributesSequence.group,
                                                   Tag.originalAttributesSequence.element, index))
        case .removePrivateBlock(let group, let creator):
            try check(bp_item_remove_private_block(item, group, creator))
        case .setPrivate(let group, let creator, let elements):
            let block = bp_item_reserve_private_block(item, group, creator)
            guard block >= 0 else { throw .invalidEdit(path: path, detail: Dcmtk.lastError) }
            for element in elements {
                let number = UInt16(block) << 8 | UInt16(element.offset)
                try check(bp_item_put_string(item, group, number, element.vr.rawValue, element.value, creator))
            }
        }
    }

    /// Item `index` of the sequence `tag` directly in `item`, if present.
    private func bp_item_sequence_item_by_tag(_ item: OpaquePointer, _ tag: Tag, _ index: Int) -> OpaquePointer? {
        var info = bp_element_info()
        for i in 0..<bp_item_count(item) where bp_item_element(item, i, &info) == Int32(BP_OK) {
            if info.group == tag.group && info.element == tag.element {
                return index < Int(info.item_count) ? bp_item_sequence_item(item, i, index) : nil
            }
        }
        return nil
    }

    private func appendItem(_ item: OpaquePointer, _ tag: Tag) throws(DicomError) -> OpaquePointer {
        var status: Int32 = 0
        guard let child = bp_item_append_sequence_item(item, tag.group, tag.element, &status) else {
            throw .invalidEdit(path: path, detail: Dcmtk.lastError)
        }
        return child
    }
}

extension DicomObject {
    /// The Pixel Data bytes as stored (fragments with their lengths when
    /// encapsulated); empty when the object has none. For verification.
    public var pixelDataBytes: [UInt8] {
        var length = 0
        guard let pointer = bp_pixel_data_bytes(handle, &length) else { return [] }
        defer { bp_free(pointer) }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }
}
