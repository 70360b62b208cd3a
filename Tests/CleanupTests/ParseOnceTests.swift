import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup

/// `clean` parses each file once (issue 12.2): the scan keeps its parsed
/// objects (ParsedObjects) and the write edits and saves them. What the scan
/// reads from a kept object and what the write makes of it must be what the
/// separate header read and the second parse gave.
@Suite(.serialized) struct ParseOnceTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// Every dicom-dev file: the header the scan takes from the kept object
    /// equals HeaderReader's (which converts text to UTF-8 with DCMTK).
    @Test func keptObjectsReadTheSameHeaders() throws {
        let files = TestEnvironment.files(under: TestEnvironment.dicomDevFiles)
        #expect(files.count >= 460)
        let kept = ParsedObjects(limit: files.count)
        var compared = 0
        for path in files {
            guard let header = SeriesScanner.readKeeping(path, include: SeriesScanner.reads, into: kept) else { continue }
            let reference = try HeaderReader().read(path, include: SeriesScanner.reads)
            let differing = Set(header.dataset.elements).symmetricDifference(reference.dataset.elements)
            #expect(differing.isEmpty, "\(path): \(differing)")
            #expect(header.meta == reference.meta && header.transferSyntaxUID == reference.transferSyntaxUID, "\(path)")
            compared += 1
        }
        #expect(compared >= 400, "most files are kept (\(compared) of \(files.count))")
        #expect(kept.count == compared)
    }

    /// Latin-1 text (ISO_IR 100) reads as DCMTK's converter reads it; a
    /// character set only the converter knows is not kept (read as before).
    @Test func characterSetsAreReadAsDCMTKConvertsThem() throws {
        let folder = try TestEnvironment.temporaryFolder("parse-once")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.samples.appendingPathComponent("dev-0001-ct.dcm").path
        func variant(_ name: String, charset: String, description: [UInt8]) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: source, toPath: path)
            // The value's bytes from a file: an argument would be re-encoded as UTF-8.
            let value = folder.appendingPathComponent(name + ".txt")
            try Data(description).write(to: value)
            let run = try TestEnvironment.run("dcmodify", ["-nb", "-i", "(0008,0005)=\(charset)", "-if", "(0008,103E)=\(value.path)", path])
            #expect(run.status == 0, "\(run.stderr)")
            return path
        }
        // "SCHÄDEL Ø" in ISO 8859-1: Ä = C4, Ø = D8 (not valid UTF-8); padded to an even length.
        let latin = try variant("latin.dcm", charset: "ISO_IR 100",
                                description: Array("SCH".utf8) + [0xC4] + Array("DEL ".utf8) + [0xD8, 0x20])
        let kept = ParsedObjects(limit: 10)
        let header = try #require(SeriesScanner.readKeeping(latin, include: SeriesScanner.reads, into: kept))
        #expect(header.dataset.string(.seriesDescription) == "SCHÄDEL Ø")
        #expect(header.dataset == (try HeaderReader().read(latin, include: SeriesScanner.reads)).dataset)
        // ISO_IR 144 (Cyrillic): left to DCMTK's converter, nothing kept.
        let cyrillic = try variant("cyrillic.dcm", charset: "ISO_IR 144", description: [0xB3, 0xE0, 0xE3, 0xD4, 0xEC, 0x20])
        #expect(SeriesScanner.readKeeping(cyrillic, include: SeriesScanner.reads, into: kept) == nil)
        #expect(kept.count == 1)
    }

    /// The scan keeps no more than its limit, none of the skipped files, and
    /// the write takes each object once.
    @Test func theScanKeepsAtMostItsLimit() throws {
        let volume = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung").path
        let files = TestEnvironment.files(under: URL(fileURLWithPath: volume))
        #expect(files.count >= 20)
        let kept = ParsedObjects(limit: 7)
        let scan = SeriesScanner(jobs: 2).scan(paths: [volume], keeping: kept)
        #expect(scan.series.flatMap(\.files).count == files.count, "every file is scanned, kept or not")
        #expect(kept.count == 7)
        let taken = files.compactMap { kept.take($0) }
        #expect(taken.count == 7 && kept.count == 0 && files.allSatisfy { kept.take($0) == nil })
        let resumed = ParsedObjects(limit: files.count, skip: [files[0]])
        _ = SeriesScanner(jobs: 2).scan(paths: [volume], keeping: resumed)
        #expect(resumed.count == files.count - 1 && resumed.take(files[0]) == nil)
    }

    /// A run that keeps every object writes, byte for byte, what a run that
    /// parses every file again writes (the time stamps of the two runs aside).
    @Test func keptObjectsWriteWhatASecondParseWrites() throws {
        let folder = try TestEnvironment.temporaryFolder("parse-once")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.dicomDevFiles.path
        var stamps: [String] = []
        for (name, keep) in [("reread", 0), ("kept", 100_000)] {
            var options = try CleanRunTests.options([source], .directory(folder.appendingPathComponent(name).path))
            options.keepParsed = keep
            let store = try AuditStore(path: folder.appendingPathComponent("\(name).sqlite").path)
            let summary = try CleanRun(options: options, store: store).run()
            stamps.append(CleanRun.dateTime(try #require(try store.run(id: summary.runID)).startedAt))
        }
        let reread = folder.appendingPathComponent("reread").path
        let outputs = TestEnvironment.files(under: folder.appendingPathComponent("kept"))
        #expect(outputs.count >= 455 && outputs.count == TestEnvironment.files(under: URL(fileURLWithPath: reread)).count)
        var edited = 0
        for path in outputs {
            let relative = String(path.dropFirst(folder.appendingPathComponent("kept").path.count))
            var kept = try Data(contentsOf: URL(fileURLWithPath: path))
            let other = try Data(contentsOf: URL(fileURLWithPath: reread + relative))
            if kept.range(of: Data(stamps[1].utf8)) != nil { edited += 1 }
            while let range = kept.range(of: Data(stamps[1].utf8)) { kept.replaceSubrange(range, with: Data(stamps[0].utf8)) }
            #expect(kept == other, "\(relative)")
        }
        #expect(edited >= 50, "the comparison covers edited files (\(edited))")
    }
}
