@testable import Audit
import BodypartTesting
import Foundation
import Testing

/// SHA-256 against the FIPS 180-2 vectors and against `sha256sum` around block boundaries.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownVectors(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
    }

    @Test func oneMillionA() {
        var digest = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { digest.update(chunk) }
        #expect(digest.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 55/56/64-byte padding edges, compared with coreutils.
    @Test func paddingEdgesMatchSha256sum() throws {
        let tool = try #require(TestEnvironment.which("sha256sum"), "sha256sum (coreutils) is needed")
        let folder = try TestEnvironment.temporaryFolder("sha")
        defer { TestEnvironment.remove(folder) }
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let file = folder.appendingPathComponent("\(length).bin")
            try Data(bytes).write(to: file)
            let expected = try TestEnvironment.run(tool, [file.path]).stdout.prefix(64)
            #expect(SHA256.hex(bytes) == String(expected), "length \(length)")
        }
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        var digest = SHA256()
        digest.update(bytes[0..<17])
        digest.update(bytes[17..<200])
        digest.update(bytes[200...])
        #expect(digest.hexDigest() == SHA256.hex(bytes))
    }
}

/// The digest fed in pieces of every size, and from sequences without
/// contiguous storage, equals the one-shot digest checked against sha256sum.
@Suite struct SHA256ChunkingTests {
    @Test func everyChunkSizeGivesTheSameDigest() throws {
        let tool = try #require(TestEnvironment.which("sha256sum"), "sha256sum (coreutils) is needed")
        let folder = try TestEnvironment.temporaryFolder("sha-chunks")
        defer { TestEnvironment.remove(folder) }
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let file = folder.appendingPathComponent("bytes.bin")
        try Data(bytes).write(to: file)
        let expected = String(try TestEnvironment.run(tool, [file.path]).stdout.prefix(64))
        for size in 1...130 {
            var digest = SHA256()
            var start = 0
            while start < bytes.count {
                digest.update(bytes[start..<min(bytes.count, start + size)])
                start += size
            }
            #expect(digest.hexDigest() == expected, "pieces of \(size) bytes")
        }
        var lazy = SHA256()
        lazy.update(bytes.lazy.map { $0 })
        #expect(lazy.hexDigest() == expected, "a sequence without contiguous storage")
        var text = SHA256()
        text.update(String(decoding: [UInt8](repeating: UInt8(ascii: "q"), count: 200), as: UTF8.self))
        #expect(text.hexDigest() == SHA256.hex([UInt8](repeating: UInt8(ascii: "q"), count: 200)))
    }
}
