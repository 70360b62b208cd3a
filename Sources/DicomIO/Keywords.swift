import CDcmtk
import DicomCore
import Synchronization

/// Dictionary keywords from DCMTK, cached per tag (standard tags) so that a
/// header read costs one dictionary look-up per distinct tag per process.
final class Keywords: Sendable {
    static let shared = Keywords()
    private let cache = Mutex<[Tag: String]>([:])

    /// The keyword of `tag` in `item` (private tags are named through their
    /// creator, found in the same item).
    func keyword(for tag: Tag, in item: OpaquePointer) -> String {
        if tag.isPrivate {
            if tag.isPrivateCreator { return "PrivateCreator" }
            let creatorTag = Tag(tag.group, tag.element >> 8)
            guard let creator = Dcmtk.take(bp_item_find_string(item, creatorTag.group, creatorTag.element)) else {
                return ""
            }
            return Dcmtk.take(bp_tag_keyword(tag.group, tag.element, DataSet.trimmed(creator))) ?? ""
        }
        if let known = cache.withLock({ $0[tag] }) { return known }
        let name = Dcmtk.take(bp_tag_keyword(tag.group, tag.element, nil)) ?? ""
        cache.withLock { $0[tag] = name }
        return name
    }
}
