import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a run could not take its lock.
public enum RunLockError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another process holds it (`holder`: what that process wrote, e.g. "pid 4711 on host").
    case inUse(path: String, what: String, holder: String?)
    /// The lock file or folder cannot be opened or locked.
    case cannotLock(path: String, detail: String)

    public var description: String {
        switch self {
        case .inUse(let path, let what, let holder):
            "\(path): \(what) is in use by another bodypart run\(holder.map { " (\($0))" } ?? ""); "
                + "wait for it to finish, give --wait, or use another --audit/--out"
        case .cannotLock(let path, let detail):
            "\(path): cannot lock: \(detail)"
        }
    }
}

/// One writer at a time per audit file and per target tree: an exclusive
/// `flock` on `AUDIT.lock` beside the audit file (holding the holder's pid
/// and host, for the message a second run prints) and on each target
/// folder itself (the `--out` folder; for `--in-place` each source folder,
/// or the folder of a source file). The kernel releases the locks when the
/// process ends, however it ends (kill -9 included), so a lock is never
/// stale; the `.lock` file stays (removing it would let a waiting run lock
/// an unlinked file). See docs/audit.md, "One run at a time".
public final class RunLock: Sendable {
    private let descriptors: [Int32]

    private init(descriptors: [Int32]) { self.descriptors = descriptors }

    deinit { for fd in descriptors { close(fd) } }

    /// Locks the audit file `audit` and the folders `trees`; with `wait`,
    /// waits for another run to finish, else throws `inUse` at once.
    public static func acquire(audit: String, trees: [String], wait: Bool) throws(RunLockError) -> RunLock {
        var held: [Int32] = []
        do throws(RunLockError) {
            let file = audit + ".lock"
            let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .cannotLock(path: file, detail: errnoText()) }
            held.append(fd)
            try lock(fd, path: audit, what: "the audit file", wait: wait, holder: { readHolder(fd) })
            let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
            _ = ftruncate(fd, 0)
            _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
            for tree in Set(trees.map(RunLock.folder(of:))).sorted() {
                let dir = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard dir >= 0 else { throw .cannotLock(path: tree, detail: errnoText()) }
                held.append(dir)
                try lock(dir, path: tree, what: "the target folder", wait: wait, holder: { nil })
            }
        } catch {
            for fd in held { close(fd) }
            throw error
        }
        return RunLock(descriptors: held)
    }

    /// A folder stays itself; a file gives its folder.
    static func folder(of path: String) -> String {
        var isFolder: ObjCBool = false
        let absolute = (path as NSString).standardizingPath
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder), isFolder.boolValue { return absolute }
        let parent = (absolute as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    private static func lock(_ fd: Int32, path: String, what: String, wait: Bool, holder: () -> String?) throws(RunLockError) {
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { throw .inUse(path: path, what: what, holder: holder()) }
            throw .cannotLock(path: path, detail: errnoText())
        }
    }

    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
