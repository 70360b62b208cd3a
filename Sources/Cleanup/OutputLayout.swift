import Foundation

/// Maps source files to output paths that mirror the source tree: a file
/// under source folder S at S/a/b.dcm goes to OUT/a/b.dcm (OUT/<name of S>/a/b.dcm
/// when several sources are given); a source file goes to OUT/<file name>.
struct OutputLayout: Sendable {
    let roots: [(root: String, prefix: String)]
    let output: String

    init(sources: [String], output: String) {
        let absolute = sources.map { OutputLayout.absolute($0) }
        let several = absolute.count > 1
        roots = absolute.map { root in
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root, isDirectory: &isFolder)
            let name = (root as NSString).lastPathComponent
            if isFolder.boolValue { return (root.hasSuffix("/") ? root : root + "/", several ? name + "/" : "") }
            return (root, name)
        }
        .sorted { $0.root.count > $1.root.count }
        self.output = OutputLayout.absolute(output)
    }

    /// The output path for a source file.
    func destination(for path: String) -> String {
        let file = OutputLayout.absolute(path)
        for (root, prefix) in roots {
            if root.hasSuffix("/"), file.hasPrefix(root) { return output + "/" + prefix + file.dropFirst(root.count) }
            if file == root { return output + "/" + prefix }
        }
        return output + "/" + (file as NSString).lastPathComponent
    }

    static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return url.path
    }
}
