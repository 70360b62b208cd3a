import Foundation

/// Paths and helpers that the test targets share: the package root, the
/// shared real data beside it, temporary folders, and running real tools.
public enum TestEnvironment {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/data` beside the package (real labelled DICOM and tables).
    public static let sharedData: URL = {
        if let explicit = ProcessInfo.processInfo.environment["BODYPART_SHARED_DATA"] {
            return URL(fileURLWithPath: explicit)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }()

    /// `../shared/data/dicom-dev/files`.
    public static var dicomDevFiles: URL { sharedData.appendingPathComponent("dicom-dev/files") }

    /// The rules folder of the package.
    public static var rules: URL { packageRoot.appendingPathComponent("Rules") }

    /// The project's private dictionary.
    public static var privateDictionary: String { rules.appendingPathComponent("private.dic").path }

    /// The samples folder.
    public static var samples: URL { packageRoot.appendingPathComponent("Samples") }

    /// Every file under `folder`, sorted.
    public static func files(under folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        var result: [String] = []
        for case let url as URL in enumerator {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { result.append(url.path) }
        }
        return result.sorted()
    }

    /// A fresh temporary folder, removed by the caller with `remove`.
    /// With `under`, inside that folder when it exists and is writable (e.g. `/dev/shm`).
    public static func temporaryFolder(_ label: String = "bodypart", under: String? = nil) throws -> URL {
        let base = under.flatMap { FileManager.default.isWritableFile(atPath: $0) ? URL(fileURLWithPath: $0) : nil }
            ?? FileManager.default.temporaryDirectory
        let url = base.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes a folder tree, restoring write permission where a test took it.
    public static func remove(_ url: URL) {
        _ = try? run("/bin/chmod", ["-R", "u+w", url.path])
        try? FileManager.default.removeItem(at: url)
    }

    /// The output of a finished process.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs a program to completion and returns its status and output.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        var env = ProcessInfo.processInfo.environment
        env["TCP_NODELAY"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        // Read both pipes concurrently so a chatty child never blocks.
        let errData = LockedData()
        let errThread = Thread { errData.set(errPipe.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: errData.value, as: UTF8.self))
    }

    /// The path of a tool on PATH, or nil.
    public static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false
    func set(_ value: Data) { lock.lock(); data = value; done = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return done }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}

extension TestEnvironment {
    /// The built `bodypart` binary (debug build of this package, or
    /// `$BODYPART_BIN`).
    public static var bodypart: String {
        if let explicit = ProcessInfo.processInfo.environment["BODYPART_BIN"] { return explicit }
        return packageRoot.appendingPathComponent(".build/debug/bodypart").path
    }

    /// Runs `bodypart` with arguments from the package root.
    @discardableResult
    public static func bodypart(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        try run(bodypart, arguments, environment: environment, currentDirectory: packageRoot)
    }
}
