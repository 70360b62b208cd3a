import BodypartTesting
import DicomCore
import Foundation
import Testing

@testable import DicomIO

/// A corpus made in the test from real files: truncations at many offsets,
/// random byte flips, zero length. The reader must answer (a header or an
/// error) every time: a crash kills the test run, a hang hits the limit.
@Suite(.timeLimit(.minutes(5))) struct MalformedInputTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// A few real files of different kinds (CT, MR with sequences, JPEG, RLE, big-endian…).
    static func seeds() -> [String] {
        let all = TestEnvironment.files(under: TestEnvironment.dicomDevFiles)
        var seen = Set<String>()
        var seeds: [String] = []
        for path in all {
            guard let header = try? HeaderReader().read(path) else { continue }
            if seen.insert(header.transferSyntaxUID).inserted { seeds.append(path) }
        }
        return seeds
    }

    @Test func truncationsAndFlipsNeverCrash() throws {
        let folder = try TestEnvironment.temporaryFolder("malformed")
        defer { TestEnvironment.remove(folder) }
        var generator = SplitMix(seed: 7)
        var answered = 0
        var truncatedErrors = 0
        let seeds = Self.seeds()
        #expect(seeds.count >= 5, "several transfer syntaxes to mutate")
        for (n, seed) in seeds.enumerated() {
            let original = try Data(contentsOf: URL(fileURLWithPath: seed))
            let headerEnd = min(original.count, 4096)
            var variants: [Data] = []
            for cut in stride(from: 0, to: headerEnd, by: max(1, headerEnd / 60)) { variants.append(original.prefix(cut)) }
            for _ in 0..<60 {
                var bytes = [UInt8](original.prefix(max(headerEnd, 200)))
                for _ in 0..<(1 + Int(generator.next() % 8)) {
                    let index = Int(generator.next() % UInt64(bytes.count))
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                variants.append(Data(bytes))
            }
            for (i, data) in variants.enumerated() {
                let path = folder.appendingPathComponent("v\(n)-\(i).dcm").path
                try data.write(to: URL(fileURLWithPath: path))
                do {
                    _ = try HeaderReader().read(path)
                } catch {
                    if error.kind == "truncated" { truncatedErrors += 1 }
                    #expect(!error.description.contains("\n"))
                }
                answered += 1
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        #expect(answered > 500)
        #expect(truncatedErrors > 0, "cuts inside the header are reported as truncated")
    }
}

/// A tiny deterministic generator for reproducible corpora.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
