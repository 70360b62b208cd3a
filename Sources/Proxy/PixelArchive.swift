import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The objects kept for the proxy's pixel check, one folder per series:
///
/// ```
/// SPOOL/pixel/SERIES/SOP.dcm    a hard link to the accepted object (no copy)
/// SPOOL/pixel/SERIES/.skipped   the series is not checked (why, in words); no objects kept
/// ```
///
/// The link is made when the object is accepted, so it outlives the
/// delivery removing the queue's link; the object's data stays on disk until
/// the series is checked and its folder removed. The folder is the queue of
/// pending checks (it survives a restart), and its modification time, which
/// each new link (or renewed `.skipped` note) updates, is when the series'
/// last instance arrived.
public struct PixelArchive: Sendable {
    /// `SPOOL/pixel`.
    public let root: String
    static let skippedNote = ".skipped"

    public init(spoolRoot: String) {
        root = spoolRoot + "/pixel"
    }

    /// A series waiting for its check.
    public struct Series: Sendable {
        /// The folder's name (the SeriesInstanceUID made safe for a file name).
        public let folder: String
        /// Objects kept.
        public let objects: Int
        /// Their size in bytes.
        public let bytes: Int64
        /// When the newest object was kept (the folder's modification time).
        public let lastArrival: Date
        /// The series and why it will not be checked, when it will not.
        public let skipped: (series: String, reason: String)?
    }

    static func folderName(_ series: String) -> String { SpoolEntry.safe(series) }

    /// Hard-links an accepted (received) file into its series' folder, as
    /// `SOP.dcm` (an instance sent again replaces the earlier one). Returns
    /// the link's path.
    func keep(_ file: String, series: String, sopInstanceUID: String) throws(ProxyError) -> String {
        let folder = root + "/" + Self.folderName(series)
        let target = folder + "/" + SpoolEntry.safe(sopInstanceUID) + ".dcm"
        for _ in 0..<3 {
            if link(file, target) == 0 { return target }
            switch errno {
            case EEXIST: unlink(target)
            case ENOENT:
                // The folder is new, or the worker has just removed it.
                mkdir(root, 0o755)
                mkdir(folder, 0o755)
            default:
                throw .spool(path: target, detail: "cannot keep for the pixel check: \(Spool.errnoText())")
            }
        }
        throw .spool(path: target, detail: "cannot keep for the pixel check: \(Spool.errnoText())")
    }

    /// True when the series is marked not to be checked.
    func isSkipped(_ series: String) -> Bool {
        access(root + "/" + Self.folderName(series) + "/" + Self.skippedNote, F_OK) == 0
    }

    /// Marks the series not to be checked (the note: its UID, then why) and
    /// removes what it kept. Returns the bytes of the objects removed.
    func skip(_ series: String, reason: String) -> Int64 {
        let folder = root + "/" + Self.folderName(series)
        var freed: Int64 = 0
        for file in files(in: Self.folderName(series)) {
            freed += Self.size(file)
            unlink(file)
        }
        mkdir(root, 0o755)
        mkdir(folder, 0o755)
        unlink(folder + "/" + Self.skippedNote)
        _ = FileManager.default.createFile(atPath: folder + "/" + Self.skippedNote, contents: Data((series + "\n" + reason).utf8))
        return freed
    }

    /// A new arrival of a skipped series: the note is written again, so the
    /// folder's time is the series' last arrival.
    func renewSkip(_ series: String) {
        let note = root + "/" + Self.folderName(series) + "/" + Self.skippedNote
        guard let text = FileManager.default.contents(atPath: note) else { return }
        unlink(note)
        _ = FileManager.default.createFile(atPath: note, contents: text)
    }

    /// The series waiting, the one whose last instance came first first.
    public func pending() -> [Series] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var result: [Series] = []
        for name in names where !name.hasPrefix(".") {
            var info = stat()
            guard stat(root + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            let kept = files(in: name)
            let note = FileManager.default.contents(atPath: root + "/" + name + "/" + Self.skippedNote)
                .map { String(decoding: $0, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false) }
            result.append(Series(folder: name, objects: kept.count, bytes: kept.reduce(0) { $0 + Self.size($1) },
                                 lastArrival: modified,
                                 skipped: note.map { (String($0[0]), $0.count > 1 ? String($0[1]) : "") }))
        }
        return result.sorted { ($0.lastArrival, $0.folder) < ($1.lastArrival, $1.folder) }
    }

    /// The objects kept for the series in `folder`, sorted by name.
    public func files(in folder: String) -> [String] {
        let path = root + "/" + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".dcm") && !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }

    /// Removes a series' folder and its links (the objects' data goes with
    /// the last link). An object linked in meanwhile leaves the folder in
    /// place, to be looked at again. Returns the bytes of the objects removed.
    @discardableResult
    func remove(_ folder: String) -> Int64 {
        let path = root + "/" + folder
        var freed: Int64 = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            if name.hasSuffix(".dcm") { freed += Self.size(path + "/" + name) }
            unlink(path + "/" + name)
        }
        rmdir(path)
        return freed
    }

    /// The size of the spool's file system in bytes (0 when unknown).
    func fileSystemBytes() -> Int64 {
        var info = statvfs()
        guard statvfs(root.hasSuffix("/pixel") ? String(root.dropLast(6)) : root, &info) == 0 else { return 0 }
        return Int64(info.f_blocks) * Int64(info.f_frsize)
    }

    static func size(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
