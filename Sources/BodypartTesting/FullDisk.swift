import Foundation

/// A tiny tmpfs mounted for a test (root only; tests that need it are
/// skipped with a note elsewhere), to see what a full disk does.
public enum FullDisk {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Mounts a tmpfs of `bytes`, runs `body` with its path, unmounts.
    public static func withTinyFileSystem(bytes: Int, _ body: (URL) throws -> Void) throws {
        let mount = try TestEnvironment.temporaryFolder("tmpfs")
        defer { try? FileManager.default.removeItem(at: mount) }
        let result = try TestEnvironment.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", mount.path])
        guard result.status == 0 else {
            throw Unavailable(description: "cannot mount a tmpfs (root needed): \(result.stderr)")
        }
        defer { _ = try? TestEnvironment.run("/bin/umount", [mount.path]) }
        try body(mount)
    }
}
