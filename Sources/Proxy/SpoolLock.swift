import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One proxy per spool: `SPOOL/.lock`, held with `flock` for the life of the
/// process (the kernel releases it when the process ends, kill -9 included,
/// so a stale lock cannot block a restart). The file holds the holder's pid
/// for the message a second proxy prints. Two proxies on one spool would
/// clean each other's incoming files, send every object twice and share
/// sequence numbers.
final class SpoolLock: Sendable {
    let path: String
    private let fd: Int32

    /// Takes the lock of the spool at `root` (created if needed); throws
    /// `.spoolInUse` when another process holds it.
    init(root: String) throws(ProxyError) {
        path = root + "/.lock"
        do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw .spool(path: root, detail: "cannot create: \(error.localizedDescription)")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .spool(path: path, detail: "cannot open the lock file: \(Spool.errnoText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = Spool.errnoText()
            close(fd)
            if busy { throw .spoolInUse(path: root, holder: SpoolLock.holder(path: root + "/.lock")) }
            throw .spool(path: path, detail: "cannot lock: \(reason)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Who holds the lock of the spool at `root` now ("pid N"), or nil when
    /// nobody does (for `proxy --check`; the lock is not kept).
    static func heldBy(root: String) -> String? {
        let path = root + "/.lock"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0, errno == EWOULDBLOCK else { return nil }
        return holder(path: path)
    }

    private static func holder(path: String) -> String {
        let text =
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "another process" : "pid \(text)"
    }
}
