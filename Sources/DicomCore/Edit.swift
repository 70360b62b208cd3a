/// One change to a DICOM object, as the filter's policy produces them and
/// the writer applies them. Everything not named by an edit stays as it was.
public enum Edit: Sendable, Hashable {
    /// Set (insert or replace) a text element with an explicit VR.
    case set(Tag, VR, String)
    /// Remove an element.
    case remove(Tag)
    /// Replace a whole sequence by these items (each a list of edits applied
    /// to a new empty item).
    case setSequence(Tag, [[Edit]])
    /// Append one item to Original Attributes Sequence (0400,0561) holding
    /// copies of the current values of `tags` (those present) in its Modified
    /// Attributes Sequence, with the modification date/time, system, source
    /// and reason (PS3.3 C.12.1.1.9). Apply before the edits that change them.
    case recordOriginals(tags: [Tag], dateTime: String, modifyingSystem: String, source: String, reason: String)
    /// Write elements into a private block reserved for `creator` in odd
    /// `group` (PS3.5 §7.8.1: the creator's block if present, else the first
    /// free one). `offset` is the low byte of the element number.
    case setPrivate(group: UInt16, creator: String, elements: [PrivateElement])
    /// Undo one earlier modification: copy every element recorded in item
    /// `item` of Original Attributes Sequence back into the dataset (the
    /// tags in `absent` were absent before and are removed instead), then
    /// remove that item (and the sequence when it is left empty).
    case restoreOriginals(item: Int, absent: Set<Tag>)
    /// Remove the private block of `creator` in `group`, if present.
    case removePrivateBlock(group: UInt16, creator: String)
}

/// One element of a private block, with an explicit VR.
public struct PrivateElement: Sendable, Hashable {
    public let offset: UInt8
    public let vr: VR
    public let value: String

    public init(offset: UInt8, vr: VR, value: String) {
        self.offset = offset
        self.vr = vr
        self.value = value
    }
}
