import CDcmtk
import DicomCore
import Synchronization

/// Dictionary keywords from DCMTK, cached per tag (and per private creator
/// for private tags) so that a header read costs one dictionary look-up per
/// distinct tag per process.
final class Keywords: Sendable {
    static let shared = Keywords()

    private struct Key: Hashable {
        let tag: Tag
        let creator: String?
    }

    /// Private keywords are cached only up to this many entries, so that a
    /// peer sending endless made-up creators cannot grow the cache forever.
    private static let privateLimit = 65_536
    private let cache = Mutex<(entries: [Key: String], privateCount: Int)>(([:], 0))

    /// The keyword of `tag`. Private tags are named through `creator`: the
    /// value of their private creator element in the same item (nil when the
    /// item has none, which gives "").
    func keyword(for tag: Tag, creator: String?) -> String {
        if tag.isPrivate {
            if tag.isPrivateCreator { return "PrivateCreator" }
            guard let creator else { return "" }
            return cached(Key(tag: tag, creator: creator))
        }
        return cached(Key(tag: tag, creator: nil))
    }

    private func cached(_ key: Key) -> String {
        if let known = cache.withLock({ $0.entries[key] }) { return known }
        let name = Dcmtk.take(bp_tag_keyword(key.tag.group, key.tag.element, key.creator)) ?? ""
        cache.withLock { cache in
            if key.creator != nil {
                guard cache.privateCount < Keywords.privateLimit else { return }
                cache.privateCount += 1
            }
            cache.entries[key] = name
        }
        return name
    }
}
