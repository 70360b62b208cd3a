import Foundation
import GRDB
import Testing

@testable import Audit

/// The bytes a row's hash covers are a file format: every hash already
/// stored and every anchor kept outside an audit file depends on them. These
/// tests spell the documented form out byte for byte (HashChain: columns in
/// name order, NULL and the two hash columns left out, each value as
/// `name 0x1F kind length ':' payload 0x1E`), so a faster encoder cannot
/// change it unnoticed.
@Suite struct HashChainFormatTests {
    static func bytes(_ parts: [String]) -> [UInt8] { Array(parts.joined().utf8) }

    @Test func canonicalFormIsSpelledOut() {
        let values: [(String, DatabaseValue)] = [
            ("zeta", "Ä b".databaseValue), ("hash", "ff".databaseValue),
            ("alpha", Int64(-1_234_567_890_123).databaseValue),
            ("nothing", .null), ("prevHash", "00".databaseValue), ("beta", Int64(0).databaseValue),
            ("gamma", 1.5.databaseValue), ("delta", Data([0x00, 0x1E, 0xFF]).databaseValue),
            ("empty", "".databaseValue),
            ("big", Int64.max.databaseValue), ("small", Int64.min.databaseValue),
        ]
        var expected = Self.bytes([
            "alpha\u{1F}I14:-1234567890123\u{1E}", "beta\u{1F}I1:0\u{1E}",
            "big\u{1F}I19:9223372036854775807\u{1E}",
        ])
        expected += Self.bytes(["delta\u{1F}B3:"]) + [0x00, 0x1E, 0xFF] + [0x1E]
        expected += Self.bytes([
            "empty\u{1F}T0:\u{1E}", "gamma\u{1F}R16:3ff8000000000000\u{1E}",
            "small\u{1F}I20:-9223372036854775808\u{1E}", "zeta\u{1F}T4:Ä b\u{1E}",
        ])
        #expect(HashChain.canonical(values) == expected)
    }

    /// The hash of a row is SHA-256 of the previous hash's text followed by
    /// the canonical bytes (SHA256 itself is pinned by SHA256Tests' vectors).
    @Test func rowHashIsSHA256OfPreviousHashAndCanonicalBytes() {
        let values: [(String, DatabaseValue)] = [
            ("runID", Int64(7).databaseValue), ("keyword", "BodyPartExamined".databaseValue),
        ]
        let text = HashChain.genesis + "keyword\u{1F}T16:BodyPartExamined\u{1E}runID\u{1F}I1:7\u{1E}"
        #expect(HashChain.hash(prevHash: HashChain.genesis, values: values) == SHA256.hex(Array(text.utf8)))
    }
}
