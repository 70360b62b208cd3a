import Foundation

/// Finds the `Rules` folder that holds `body-parts.yaml` (and the other rule files).
public enum RulesDirectory {
    /// The file whose presence marks a rules folder.
    public static let markerFile = "body-parts.yaml"

    /// Locates the rules folder. Order: `explicit` → `$BODYPART_RULES` →
    /// `<executable dir>/../share/bodypart/Rules` → a `Rules` folder with `body-parts.yaml` found by
    /// walking up from the executable's directory, then from the current directory.
    /// - Throws: `TaxonomyError.rulesNotFound` listing every place tried, or when an explicit or
    ///   environment path does not hold `body-parts.yaml`.
    public static func locate(explicit: String? = nil) throws -> URL {
        try locate(
            explicit: explicit,
            environment: ProcessInfo.processInfo.environment,
            executableURL: Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "."),
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        )
    }

    /// Testable core of `locate(explicit:)` with every input given.
    static func locate(
        explicit: String?, environment: [String: String], executableURL: URL, currentDirectory: URL
    ) throws -> URL {
        var tried: [String] = []
        func holdsMarker(_ dir: URL) -> Bool {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent(markerFile).path)
        }
        // An explicit choice must be right: do not fall back silently.
        for (label, value) in [("explicit", explicit), ("BODYPART_RULES", environment["BODYPART_RULES"])] {
            guard let value, !value.isEmpty else { continue }
            let dir = URL(fileURLWithPath: value, isDirectory: true).standardizedFileURL
            if holdsMarker(dir) { return dir }
            throw TaxonomyError.rulesNotFound(tried: tried + ["\(label) \(dir.path) (no \(markerFile))"])
        }
        let exeDir = executableURL.resolvingSymlinksInPath().deletingLastPathComponent()
        let installed = exeDir.appendingPathComponent("../share/bodypart/Rules").standardizedFileURL
        tried.append(installed.path)
        if holdsMarker(installed) { return installed }
        for start in [exeDir, currentDirectory.standardizedFileURL] {
            var dir = start
            while true {
                let candidate = dir.appendingPathComponent("Rules", isDirectory: true)
                if holdsMarker(candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
            tried.append("Rules/ in \(start.path) and its parents")
        }
        throw TaxonomyError.rulesNotFound(tried: tried)
    }
}
