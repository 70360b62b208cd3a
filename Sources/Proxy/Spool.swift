import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The proxy's durable store on disk:
///
/// ```
/// SPOOL/incoming/            datasets being received (temporary; removed at start)
/// SPOOL/queue/DEST/          accepted objects waiting for DEST (one hard link per destination)
/// SPOOL/quarantine/DEST/     objects DEST never took, each with NAME.json saying why
/// SPOOL/series/UID.json      the decision of each series (made once, reused after restarts)
/// ```
///
/// An object is accepted when its file is fsynced and linked into every
/// destination's queue and those folders are fsynced: only then may the
/// sender hear Success. A destination's copy is removed once it confirmed.
public final class Spool: Sendable {
    public let root: String
    public let destinations: [Destination]
    private let nextSequence: Mutex<UInt64>
    /// Held by the proxy that owns the spool (nil for tools that only look at it).
    private let lock: SpoolLock?
    /// The group commit of accepted objects (the owning proxy only).
    private let committer: SpoolCommitter?

    public var incoming: String { root + "/incoming" }
    public func queue(_ destination: Destination) -> String { root + "/queue/" + destination.folderName }
    public func quarantine(_ destination: Destination) -> String { root + "/quarantine/" + destination.folderName }
    public var seriesFolder: String { root + "/series" }
    /// The audit's job key of the proxy runs on this spool.
    public var jobKey: String { "proxy:" + root }

    /// Opens (creating) the spool; with `cleanIncoming` (the proxy's own
    /// start) takes the spool's lock (`.spoolInUse` when another proxy runs
    /// on it) and removes datasets whose receipt never finished. Tools that
    /// look at the spool of a running proxy pass false.
    public init(root: String, destinations: [Destination], cleanIncoming: Bool = true) throws(ProxyError) {
        self.root = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.destinations = destinations
        lock = cleanIncoming ? try SpoolLock(root: self.root) : nil
        committer = cleanIncoming ? try SpoolCommitter(root: self.root) : nil
        nextSequence = Mutex(0)
        let folders = [incoming, seriesFolder] + destinations.flatMap { [queue($0), quarantine($0)] }
        for folder in folders {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw .spool(path: folder, detail: "cannot create: \(error.localizedDescription)")
            }
        }
        guard access(incoming, W_OK) == 0 else { throw .spool(path: incoming, detail: "not writable") }
        for name in cleanIncoming ? (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [] : [] {
            unlink(incoming + "/" + name)
        }
        var highest: UInt64 = 0
        for destination in destinations {
            for entry in Spool.entries(in: queue(destination)) + Spool.entries(in: quarantine(destination)) {
                highest = max(highest, entry.sequence)
            }
        }
        let start = highest + 1
        nextSequence.withLock { $0 = start }
    }

    /// Makes a fully received file durable and queues it for every
    /// destination, in a group with the objects arriving at the same time
    /// (``SpoolCommitter``). Throws when any step fails (nothing is then queued).
    public func accept(receivedFile path: String, seriesInstanceUID: String, sopInstanceUID: String) throws(ProxyError) -> SpoolEntry {
        guard let committer else { throw .spool(path: root, detail: "opened read-only (not by the proxy)") }
        let sequence = nextSequence.withLock { value -> UInt64 in defer { value += 1 }; return value }
        let entry = SpoolEntry(sequence: sequence, seriesInstanceUID: seriesInstanceUID, sopInstanceUID: sopInstanceUID,
                               arrival: Date())
        try committer.commit(path: path, targets: destinations.map { queue($0) + "/" + entry.fileName })
        return entry
    }

    /// Ends the group commit (after the last association): objects waiting are finished first.
    /// Returns the objects committed, the flushes made and the seconds they took.
    @discardableResult
    public func stopCommitting() -> (objects: Int, rounds: Int, flushSeconds: Double) {
        guard let committer else { return (0, 0, 0) }
        committer.stop()
        return committer.counts
    }

    /// The path of `entry` in `destination`'s queue.
    public func path(of entry: SpoolEntry, for destination: Destination) -> String {
        queue(destination) + "/" + entry.fileName
    }

    /// Removes a delivered object from `destination`'s queue (no sync: at
    /// worst a crash delivers it once more, which is harmless).
    public func remove(_ entry: SpoolEntry, for destination: Destination) {
        unlink(path(of: entry, for: destination))
    }

    /// Everything waiting for `destination`, oldest first.
    public func pending(for destination: Destination) -> [SpoolEntry] { Spool.entries(in: queue(destination)) }

    /// The spool's entries in `folder`, in arrival order.
    static func entries(in folder: String) -> [SpoolEntry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var result: [SpoolEntry] = []
        for name in names {
            var info = stat()
            guard stat(folder + "/" + name, &info) == 0 else { continue }
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec))
            if let entry = SpoolEntry(fileName: name, arrival: modified) { result.append(entry) }
        }
        return result.sorted()
    }

    /// The destinations that have a queue folder in the spool at `root`.
    public static func destinationsFound(in root: String) -> [Destination] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/queue")) ?? []
        return names.sorted().compactMap { name in
            guard let underscore = name.lastIndex(of: "_") else { return nil }
            var text = name
            text.replaceSubrange(underscore...underscore, with: ":")
            return try? Destination(parsing: text)
        }
    }

    /// Who runs a proxy on the spool at `root` now ("pid N"), nil when nobody does.
    public static func inUse(root: String) -> String? { SpoolLock.heldBy(root: root) }

    static func syncFolder(_ folder: String) -> Bool {
        let fd = open(folder, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
