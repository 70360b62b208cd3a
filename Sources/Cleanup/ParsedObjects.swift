import DicomIO
import Foundation

/// The objects a `clean` scan parsed, kept for the write so that each file is
/// parsed once (issue 12.2): the scan opens a file with
/// `DicomObject(lazilyReading:)` (whole structure, Pixel Data left on disk),
/// reads its header from that object and leaves the object here; the write
/// takes it back, edits and saves it. At most `limit` objects are kept (about
/// 32 KiB each for CT, the parsed header; Pixel Data stays on disk), so memory stays
/// bounded however many files a run has; files beyond it, and files whose
/// character set needs DCMTK's converter, are parsed again at the write as
/// before.
///
/// Each object has one owner at a time: a scan thread until `keep`, this
/// store, then the one write thread that `take`s it (DicomObject is not
/// Sendable; the lock hands it over). The files must not change between the
/// scan and the write: the run holds the tree's lock (RunLock), and a file
/// is replaced only after its kept object has been saved to a temporary
/// file beside it.
public final class ParsedObjects: @unchecked Sendable {
    /// The most objects kept at once.
    public let limit: Int
    /// Paths never kept (a resume's finished files).
    let skip: Set<String>
    private let lock = NSLock()
    private var objects: [String: DicomObject] = [:]

    /// Keeps at most `limit` objects, none for `skip`.
    public init(limit: Int, skip: Set<String> = []) {
        self.limit = max(0, limit)
        self.skip = skip
    }

    /// How many more objects may be kept.
    var room: Int { lock.withLock { limit - objects.count } }

    /// Whether the scan should keep the object of `path` (it is not skipped).
    func wants(_ path: String) -> Bool { !skip.contains(path) }

    /// Keeps `object` for the write of `path` (dropped when the store is full).
    func keep(_ object: DicomObject, for path: String) {
        lock.withLock { if objects.count < limit { objects[path] = object } }
    }

    /// The object kept for `path`, handed over to the caller (nil: parse the file).
    func take(_ path: String) -> DicomObject? {
        lock.withLock { objects.removeValue(forKey: path) }
    }

    /// Number of objects held.
    public var count: Int { lock.withLock { objects.count } }
}
