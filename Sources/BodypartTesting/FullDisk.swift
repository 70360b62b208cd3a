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

extension FullDisk {
    /// A folder no one may write into, even root: a read-only tmpfs when the
    /// test may mount (root), else a folder without write permission.
    public static func withReadOnlyFolder(_ body: (URL) throws -> Void) throws {
        let folder = try TestEnvironment.temporaryFolder("readonly")
        defer { TestEnvironment.remove(folder) }
        if getuid() == 0 {
            let result = try TestEnvironment.run("/bin/mount", ["-t", "tmpfs", "-o", "ro,size=65536", "tmpfs", folder.path])
            guard result.status == 0 else { throw Unavailable(description: "cannot mount a read-only tmpfs: \(result.stderr)") }
            defer { _ = try? TestEnvironment.run("/bin/umount", [folder.path]) }
            try body(folder)
        } else {
            chmod(folder.path, 0o555)
            try body(folder)
        }
    }
}
