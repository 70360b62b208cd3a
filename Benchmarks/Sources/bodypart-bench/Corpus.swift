#if canImport(Glibc)
    import Glibc
#endif

/// The benchmark corpus: the regular files of one folder, sorted by name.
enum Corpus {
    /// Paths of the regular, non-hidden files directly in `folder`, sorted.
    static func files(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            var info = stat()
            if stat("\(folder)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFREG { names.append(name) }
        }
        return names.sorted().map { "\(folder)/\($0)" }
    }

    /// Reads every file once so that the timed runs find them in the page
    /// cache. Returns the total size in bytes.
    @discardableResult
    static func warm(_ paths: [String]) -> Int {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        for path in paths {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { continue }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                total += count
            }
            close(fd)
        }
        return total
    }

    /// A fresh copy of `folder` at `destination` (removed first), flushed to
    /// disk so that a timed sync afterwards only flushes what the case wrote.
    static func freshCopy(of folder: String, to destination: String) throws {
        _ = try Subprocess.run(["rm", "-rf", destination])
        let copy = try Subprocess.run(["cp", "-a", folder, destination])
        guard copy.exitStatus == 0 else { throw BenchError("cannot copy \(folder) to \(destination)") }
        sync()
    }
}

/// A benchmark set-up error: one line a person can act on.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
