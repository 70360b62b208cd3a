#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a walk over files and folders yields.
public enum WalkEntry: Sendable, Hashable {
    /// A regular file (or a link to one).
    case file(String)
    /// A path that could not be walked, with the reason (missing, unreadable,
    /// a link loop).
    case problem(path: String, reason: String)
}

/// Walks paths recursively in a stable order (names sorted per folder),
/// streaming: memory grows with the depth and the largest folder, not with
/// the number of files. Links to folders are followed once; a folder reached
/// again (a link loop) is reported and skipped. Hidden entries that bodypart
/// itself writes (`.*.bodypart-*` temporary files) are skipped.
public struct FileWalker: Sequence {
    let roots: [String]

    public init(_ roots: [String]) { self.roots = roots }

    public func makeIterator() -> Iterator { Iterator(roots: roots) }

    /// The walk's state: a stack of pending folders' sorted entries.
    public struct Iterator: IteratorProtocol {
        private var pending: [[String]]
        private var visited = Set<FolderID>()

        struct FolderID: Hashable {
            let device: UInt64
            let inode: UInt64
        }

        init(roots: [String]) {
            pending = [roots.reversed()]
        }

        public mutating func next() -> WalkEntry? {
            while !pending.isEmpty {
                guard let path = pending[pending.count - 1].popLast() else {
                    pending.removeLast()
                    continue
                }
                var info = stat()
                guard stat(path, &info) == 0 else {
                    var linkInfo = stat()
                    let dangling = lstat(path, &linkInfo) == 0
                    let reason = dangling ? "broken link" : String(cString: strerror(errno))
                    return .problem(path: path, reason: reason)
                }
                switch info.st_mode & S_IFMT {
                case S_IFREG:
                    return .file(path)
                case S_IFDIR:
                    let id = FolderID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
                    guard visited.insert(id).inserted else {
                        return .problem(path: path, reason: "folder already visited (link loop), skipped")
                    }
                    switch FileWalker.entries(of: path) {
                    case .success(let names): pending.append(names.reversed())
                    case .failure(let reason): return .problem(path: path, reason: reason.text)
                    }
                default:
                    return .problem(path: path, reason: "not a regular file or folder, skipped")
                }
            }
            return nil
        }
    }

    struct WalkFailure: Error {
        let text: String
    }

    /// The sorted child paths of a folder.
    static func entries(of folder: String) -> Result<[String], WalkFailure> {
        guard let dir = opendir(folder) else {
            return .failure(WalkFailure(text: "cannot open folder: \(String(cString: strerror(errno)))"))
        }
        defer { closedir(dir) }
        var names: [String] = []
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            if name.hasPrefix("."), name.contains(".bodypart-") { continue }
            names.append(prefix + name)
        }
        return .success(names.sorted())
    }
}
