import BodypartTesting
import DicomCore
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Synchronization
import Testing

@testable import DicomIO

/// The fuzz target over the reader (issue 14): inputs made from real files
/// and from hostile templates, each read as a header, as a whole object and
/// (for bare datasets) from memory, for a bounded time: 20 s in `make test`,
/// `BODYPART_FUZZ_SECONDS` in `make fuzz`. Every input must get an answer (a
/// header or one line of error): a crash kills the run, and a read that does
/// not return within 15 s stops it with the input saved for replay.
@Suite struct ReaderFuzzTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// Small real files: explicit and implicit VR, deflated SR, JPEG fragments, nested sequences.
    static let seedNames = [
        "orthanc-mirrors__orthanc-tests/Database/HierarchicalAnonymization/2019-03-28/CR000000.dcm",
        "orthanc-mirrors__orthanc-tests/Database/HierarchicalAnonymization/2019-03-28/PR000000.dcm",
        "cornerstonejs__dicomParser/testImages/deflate/report_dfl",
        "orthanc-mirrors__orthanc-tests/Database/DummyCTInvalidRows.dcm",
        "orthanc-mirrors__orthanc-tests/Database/MarekLatin2.dcm",
    ]

    static var budget: Duration {
        .seconds(Int(ProcessInfo.processInfo.environment["BODYPART_FUZZ_SECONDS"] ?? "") ?? 20)
    }

    /// What the run did, by kind of input.
    struct Tally: CustomStringConvertible {
        var counts: [String: Int] = [:]
        var errors = 0
        var total: Int { counts.values.reduce(0, +) }
        var description: String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
    }

    @Test(.timeLimit(.minutes(60))) func readerAnswersEveryInput() throws {
        let seeds = try Self.seedNames.map { name in
            try [UInt8](Data(contentsOf: TestEnvironment.dicomDevFiles.appendingPathComponent(name)))
        }
        // In memory where there is a tmpfs: the inputs are many and short-lived.
        let folder = try TestEnvironment.temporaryFolder("fuzz", under: "/dev/shm")
        defer { TestEnvironment.remove(folder) }
        let path = folder.appendingPathComponent("input.dcm").path
        let watchdog = Watchdog(replay: folder.deletingLastPathComponent().appendingPathComponent("bodypart-fuzz-hang.dcm").path)
        var random = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["BODYPART_FUZZ_SEED"] ?? "") ?? 14)
        let nests = Self.nestingTemplates()
        let headers = seeds.map(Self.elementHeaders)
        var tally = Tally()
        var cut = 0
        let start = ContinuousClock.now
        var round = 0
        while ContinuousClock.now - start < Self.budget {
            round += 1
            let kind = ["truncation", "truncation", "truncation", "truncation", "flip", "nesting", "length"][round % 7]
            let bytes: [UInt8]
            switch kind {
            case "truncation":
                // Every offset of every seed in turn, then again from the start.
                let seed = seeds[cut % seeds.count]
                bytes = Array(seed.prefix((cut / seeds.count) % (seed.count + 1)))
                cut += 1
            case "flip":
                var b = seeds[Int(random.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(random.next() % 8)) {
                    b[Int(random.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                bytes = b
            case "nesting":
                // A template (around the limit, or far beyond it), with a few bytes changed.
                var b = nests[Int(random.next() % UInt64(nests.count))]
                for _ in 0..<Int(random.next() % 3) {
                    b[300 + Int(random.next() % UInt64(b.count - 300))] = UInt8(truncatingIfNeeded: random.next())
                }
                bytes = b
            default:
                let n = Int(random.next() % UInt64(seeds.count))
                bytes = Self.withHugeLength(seeds[n], headers: headers[n], &random)
            }
            try Self.write(bytes, to: path)
            watchdog.arm(bytes)
            tally.errors += Self.readAllWays(path: path, bytes: bytes, kind: kind)
            watchdog.disarm()
            tally.counts[kind, default: 0] += 1
        }
        watchdog.stop()
        let everyOffset = cut >= seeds.count * (seeds.map(\.count).max()! + 1)
        print("reader fuzz: \(tally.total) inputs in \(ContinuousClock.now - start) (\(tally); every offset of the \(seeds.count) seeds cut: \(everyOffset)); \(tally.errors) refused with one line; no crash, no hang")
        #expect(tally.total > 1000)
        #expect(tally.counts.count == 4, "every kind of input ran")
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Reads `path` as a header and as a whole object, and the same bytes past
    /// the meta header as a bare dataset; returns how many reads were refused.
    static func readAllWays(path: String, bytes: [UInt8], kind: String) -> Int {
        var refused = 0
        func check(_ error: DicomError) {
            refused += 1
            #expect(!error.description.contains("\n"), "one line: \(error)")
        }
        do { _ = try HeaderReader().read(path) } catch { check(error) }
        do { _ = try DicomObject(path: path).pixelDataBytes.count } catch { check(error) }
        if bytes.count > 144, bytes[128..<132].elementsEqual("DICM".utf8) {
            let meta = Int(bytes[140]) | Int(bytes[141]) << 8
            if 144 + meta < bytes.count {
                do {
                    _ = try DicomObject(datasetBytes: Array(bytes[(144 + meta)...]), transferSyntaxUID: "1.2.840.10008.1.2.1",
                                        label: "fuzz").header
                } catch { check(error) }
            }
        }
        return refused
    }

    /// Nested Content Sequences in explicit and implicit VR, undefined and
    /// defined lengths: just under, at and over the limit, and 20,000 levels.
    static func nestingTemplates() -> [[UInt8]] {
        var templates: [[UInt8]] = []
        for depth in [1, 127, 128, 129, 200, 20000] {
            for lengths in [HostileDicom.Lengths.undefined, .defined] {
                for syntax in [HostileDicom.explicitLittleEndian, HostileDicom.implicitLittleEndian] {
                    templates.append(HostileDicom.nestedSequences(depth: depth, lengths: lengths, transferSyntax: syntax))
                }
            }
        }
        return templates
    }

    /// Offsets past the preamble that hold a plausible explicit-VR element header.
    static func elementHeaders(_ bytes: [UInt8]) -> [Int] {
        guard bytes.count > 144 else { return [] }
        return (132..<(bytes.count - 12)).filter { i in
            bytes[i + 4] >= 65 && bytes[i + 4] <= 90 && bytes[i + 5] >= 65 && bytes[i + 5] <= 90
        }
    }

    /// A copy of `seed` where the length field of the element header at one
    /// of `headers` claims 2–4 GiB (or 32–64 KiB for a 2-byte length).
    static func withHugeLength(_ seed: [UInt8], headers: [Int], _ random: inout SplitMix) -> [UInt8] {
        var b = seed
        guard !headers.isEmpty else { return b }
        let at = headers[Int(random.next() % UInt64(headers.count))]
        let huge = UInt32(0x8000_0000) | UInt32(truncatingIfNeeded: random.next() & 0x7FFF_FFFF)
        let long = ["OB", "OW", "SQ", "UN", "UT", "UC", "UR", "OD", "OF", "OL", "OV", "SV", "UV"]
        let vr = String(decoding: b[(at + 4)...(at + 5)], as: UTF8.self)
        let offset = long.contains(vr) ? at + 8 : at + 6
        let width = long.contains(vr) ? 4 : 2
        for k in 0..<width { b[offset + k] = UInt8(truncatingIfNeeded: huge >> (8 * k)) }
        return b
    }
}

/// Stops the process when a read does not return within 15 s, after saving
/// the input for replay (a hang must fail the run, not stall it).
final class Watchdog: Sendable {
    private struct State {
        var input: [UInt8]?
        var since = ContinuousClock.now
        var running = true
    }

    private let state = Mutex(State())

    init(replay: String) {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                let (input, since, running) = self.state.withLock { ($0.input, $0.since, $0.running) }
                if !running { return }
                if let input, ContinuousClock.now - since > .seconds(15) {
                    try? Data(input).write(to: URL(fileURLWithPath: replay))
                    fatalError("the reader hung for 15 s on an input saved as \(replay)")
                }
            }
        }
    }

    func arm(_ input: [UInt8]) { state.withLock { $0.input = input; $0.since = ContinuousClock.now } }
    func disarm() { state.withLock { $0.input = nil } }
    func stop() { state.withLock { $0.running = false } }
}
