import CDcmtk
import DicomCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes DICOM objects so that a crash leaves the old file or the new one,
/// never a half file: each object goes to a temporary file in the target's
/// own folder, reaches stable storage, and only then is renamed over the
/// target; the folder is synced after the renames.
///
/// Syncing every file costs a disk flush each. A batch stages many temporary
/// files, flushes them together (one `syncfs`), then renames them all and
/// syncs each folder once: every file is still replaced atomically, at a
/// fraction of the cost.
///
/// One thread at a time: each worker stages into its own writer; the
/// writers of a batch are then merged (`absorb`) and committed together.
public final class AtomicWriter: @unchecked Sendable {
    private struct Staged {
        let temporary: String
        let destination: String
    }

    private var staged: [Staged] = []

    public init() {}

    /// Number of files staged and not yet committed.
    public var pendingCount: Int { staged.count }

    /// Writes `object` to a temporary file beside `destination` with the given
    /// permission bits. The destination is untouched until `commit()`.
    public func stage(_ object: DicomObject, to destination: String, permissions: mode_t) throws(DicomError) {
        let directory = AtomicWriter.directory(of: destination)
        let name = destination.split(separator: "/").last.map(String.init) ?? "object"
        var template = Array("\(directory)/.\(name).bodypart-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw .io(path: destination, detail: "cannot create a temporary file in \(directory): \(AtomicWriter.errnoText())")
        }
        close(fd)
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do throws(DicomError) {
            try object.save(to: temporary)
            guard chmod(temporary, permissions) == 0 else {
                throw DicomError.io(path: destination, detail: "cannot set permissions: \(AtomicWriter.errnoText())")
            }
        } catch {
            unlink(temporary)
            if case .io(_, let detail) = error { throw .io(path: destination, detail: detail) }
            throw error
        }
        staged.append(Staged(temporary: temporary, destination: destination))
    }

    /// Takes over every file staged by `other` (which is left empty), so
    /// that one commit makes them all durable with one sync.
    public func absorb(_ other: AtomicWriter) {
        staged += other.staged
        other.staged = []
    }

    func appendStaged(temporary: String, destination: String) {
        staged.append(Staged(temporary: temporary, destination: destination))
    }

    /// Makes every staged file durable, then renames each over its
    /// destination and syncs the folders. On failure before the renames,
    /// all temporary files are removed and no destination has changed.
    public func commit() throws(DicomError) {
        guard !staged.isEmpty else { return }
        let batch = staged
        staged = []
        do {
            try AtomicWriter.flush(batch.map(\.temporary))
        } catch {
            for file in batch { unlink(file.temporary) }
            throw error
        }
        var directories = Set<String>()
        var firstError: DicomError?
        for file in batch {
            if rename(file.temporary, file.destination) != 0 {
                firstError = firstError ?? .io(path: file.destination, detail: "cannot rename: \(AtomicWriter.errnoText())")
                unlink(file.temporary)
            } else {
                directories.insert(AtomicWriter.directory(of: file.destination))
            }
        }
        for directory in directories { AtomicWriter.syncDirectory(directory) }
        if let firstError { throw firstError }
    }

    /// Removes every staged temporary file without touching destinations.
    public func discard() {
        for file in staged { unlink(file.temporary) }
        staged = []
    }

    deinit { discard() }

    /// Writes one object atomically (stage + commit).
    public static func write(_ object: DicomObject, to destination: String, permissions: mode_t) throws(DicomError) {
        let writer = AtomicWriter()
        try writer.stage(object, to: destination, permissions: permissions)
        try writer.commit()
    }

    /// One `syncfs` per file system (found through an open temp file); a
    /// single file falls back to its own `fsync`.
    static func flush(_ paths: [String]) throws(DicomError) {
        if paths.count == 1 {
            let fd = open(paths[0], O_RDONLY)
            guard fd >= 0 else { throw .io(path: paths[0], detail: "cannot reopen: \(errnoText())") }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw .io(path: paths[0], detail: "fsync failed: \(errnoText())") }
            return
        }
        // A file is on its folder's file system: one stat per folder, not per file.
        var devices = Set<UInt64>()
        var folders = Set<String>()
        for path in paths where folders.insert(directory(of: path)).inserted {
            var info = stat()
            guard stat(path, &info) == 0 else { throw .io(path: path, detail: "stat failed: \(errnoText())") }
            guard devices.insert(UInt64(info.st_dev)).inserted else { continue }
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw .io(path: path, detail: "cannot reopen: \(errnoText())") }
            defer { close(fd) }
            guard bp_syncfs(fd) == Int32(BP_OK) else { throw .io(path: path, detail: Dcmtk.lastError) }
        }
    }

    /// Flushes the whole file system that holds the open descriptor `fd`
    /// (Linux `syncfs`): one call for a batch of files written there. The
    /// reason is in the error when it fails.
    public static func syncFileSystem(of fd: Int32, path: String) throws(DicomError) {
        guard bp_syncfs(fd) == Int32(BP_OK) else { throw .io(path: path, detail: Dcmtk.lastError) }
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

extension AtomicWriter {
    /// Stages a byte-for-byte copy of `source` for `destination` (for files
    /// that need no change but belong in an output tree).
    public func stageCopy(of source: String, to destination: String, permissions: mode_t) throws(DicomError) {
        let directory = AtomicWriter.directory(of: destination)
        let name = destination.split(separator: "/").last.map(String.init) ?? "object"
        var template = Array("\(directory)/.\(name).bodypart-XXXXXX".utf8CString)
        let out = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard out >= 0 else {
            throw .io(path: destination, detail: "cannot create a temporary file in \(directory): \(AtomicWriter.errnoText())")
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let input = open(source, O_RDONLY)
        defer { if input >= 0 { close(input) } }
        var failure: String?
        if input < 0 { failure = "cannot open \(source): \(AtomicWriter.errnoText())" }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while failure == nil {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 { if errno == EINTR { continue }; failure = "read failed: \(AtomicWriter.errnoText())"; break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { Glibc.write(out, $0.baseAddress! + offset, count - offset) }
                if written < 0 { if errno == EINTR { continue }; failure = "write failed: \(AtomicWriter.errnoText())"; break }
                offset += written
            }
        }
        if failure == nil && fchmod(out, permissions) != 0 { failure = "cannot set permissions: \(AtomicWriter.errnoText())" }
        close(out)
        if let failure {
            unlink(temporary)
            throw .io(path: destination, detail: failure)
        }
        appendStaged(temporary: temporary, destination: destination)
    }
}
