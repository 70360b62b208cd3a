import Audit
import BodypartTesting
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup

/// Inputs that cannot be edited, and runs that were killed: nothing
/// silently missing from an output tree, nothing edited without its UIDs,
/// no change recorded twice on a resume.
@Suite(.serialized) struct CleanRunFailureTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static var ct: String { TestEnvironment.samples.appendingPathComponent("dev-0001-ct.dcm").path }

    /// The length of the longest prefix of `bytes` that reads as a header
    /// without error (cut at an element boundary) and has no SOP Instance
    /// UID in its dataset (as "the first 400 bytes of a CT").
    static func elementBoundaryBeforeSOPInstanceUID(_ bytes: Data, scratch: URL) throws -> Int {
        var best = 0
        for length in 140..<min(bytes.count, 2000) {
            try bytes.prefix(length).write(to: scratch)
            guard let header = try? HeaderReader().read(scratch.path) else { continue }
            if header.dataset.string(.sopInstanceUID) != nil { break }
            if !header.dataset.elements.isEmpty { best = length }
        }
        try? FileManager.default.removeItem(at: scratch)
        return best
    }

    /// A folder with a complete CT file, a prefix of it cut at an element
    /// boundary before its SOP Instance UID, and its first half (cut inside
    /// Pixel Data).
    static func damagedFolder(_ folder: URL) throws -> (complete: String, head: String, half: String) {
        let source = folder.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: ct))
        let complete = source.appendingPathComponent("complete.dcm").path
        let head = source.appendingPathComponent("head.dcm").path
        let half = source.appendingPathComponent("half.dcm").path
        try bytes.write(to: URL(fileURLWithPath: complete))
        let cut = try elementBoundaryBeforeSOPInstanceUID(bytes, scratch: folder.appendingPathComponent("scratch.dcm"))
        #expect(cut > 0)
        try bytes.prefix(cut).write(to: URL(fileURLWithPath: head))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: half))
        return (complete, head, half)
    }

    @Test func damagedFilesAreCopiedUnchangedIntoTheOutputTreeAndAudited() throws {
        let folder = try TestEnvironment.temporaryFolder("damaged-out")
        defer { TestEnvironment.remove(folder) }
        let files = try Self.damagedFolder(folder)
        let source = folder.appendingPathComponent("src").path
        let out = folder.appendingPathComponent("out").path
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let summary = try CleanRun(options: CleanRunTests.options([source], .directory(out)), store: store).run()
        let layout = OutputLayout(sources: [source], output: out)
        let errors = try store.errors(runID: summary.runID)
        let changed = Set(try store.changes(runID: summary.runID, series: nil).map(\.sourcePath))
        #expect(summary.skippedTotal == 2, "\(summary.skipped)")
        for damaged in [files.head, files.half] {
            let target = layout.destination(for: damaged)
            #expect(FileManager.default.fileExists(atPath: target), "\(damaged) is missing from the output tree")
            #expect(FileManager.default.contents(atPath: target) == FileManager.default.contents(atPath: damaged), "copied unchanged")
            let error = errors.first { $0.path == damaged }
            #expect(error?.message.hasSuffix("copied unchanged") == true, "\(errors)")
            #expect(!changed.contains(damaged), "no change recorded for \(damaged)")
        }
        #expect(errors.first { $0.path == files.head }?.message.contains("SOPInstanceUID") == true, "the reason names the missing UID")
        #expect(changed.contains(files.complete))
    }

    @Test func headerWithoutUIDsIsNeverWrittenInPlace() throws {
        let folder = try TestEnvironment.temporaryFolder("damaged-inplace")
        defer { TestEnvironment.remove(folder) }
        let files = try Self.damagedFolder(folder)
        let before = FileManager.default.contents(atPath: files.head)
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let summary = try CleanRun(options: CleanRunTests.options([folder.appendingPathComponent("src").path], .inPlace),
                                   store: store).run()
        #expect(FileManager.default.contents(atPath: files.head) == before, "no private block added to a cut header")
        let error = try store.errors(runID: summary.runID).first { $0.path == files.head }
        #expect(error?.kind == "malformed", "skipped with its reason")
        #expect(try store.changes(runID: summary.runID, series: nil).allSatisfy { $0.sourcePath != files.head })
    }

    /// The states a kill -9 can leave between the change rows and the
    /// progress rows of a batch, made on purpose: the resumed run records
    /// each change once, and writes the same files as an uninterrupted run.
    @Test(arguments: ["in-place", "out"]) func resumeAfterAKillRecordsEachChangeOnce(mode: String) throws {
        let folder = try TestEnvironment.temporaryFolder("resume-once")
        defer { TestEnvironment.remove(folder) }
        let source = folder.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let samples = TestEnvironment.files(under: TestEnvironment.samples).filter { $0.hasSuffix(".dcm") }
        for file in samples { try FileManager.default.copyItem(atPath: file, toPath: source.appendingPathComponent((file as NSString).lastPathComponent).path) }
        let originals = try samples.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let out = folder.appendingPathComponent("out").path
        let output: CleanOutput = mode == "out" ? .directory(out) : .inPlace
        let auditPath = folder.appendingPathComponent("audit.sqlite").path
        let store = try AuditStore(path: auditPath)
        let first = try CleanRun(options: CleanRunTests.options([source.path], output), store: store).run()
        let reference = try store.changes(runID: first.runID, series: nil)
        #expect(reference.count > 0)
        // As if killed after the changes were stored and before the progress
        // rows: no progress, run interrupted; half the files not yet renamed.
        try store.finishRun(id: first.runID, status: .interrupted, counts: [:])
        try TestEnvironment.run("/usr/bin/sqlite3", [auditPath, "DELETE FROM file_progress"])
        for (index, file) in samples.enumerated() where index % 2 == 0 {
            let name = (file as NSString).lastPathComponent
            let target = mode == "out" ? (out as NSString).appendingPathComponent(name) : source.appendingPathComponent(name).path
            if mode == "out" { try? FileManager.default.removeItem(atPath: target) } else { try originals[index].write(to: URL(fileURLWithPath: target)) }
        }
        // And a temporary file of the killed attempt, beside a target.
        let stale = (mode == "out" ? out : source.path) + "/.dev-0001-ct.dcm.bodypart-AbC123"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: stale)

        let resumed = try CleanRun(options: CleanRunTests.options([source.path], output), store: store).run()
        #expect(resumed.resumed && resumed.runID == first.runID)
        let after = try store.changes(runID: first.runID, series: nil)
        let keys = after.map { "\($0.sourcePath)|\($0.tag)" }
        #expect(Set(keys).count == keys.count, "each change recorded once")
        #expect(after.count == reference.count)
        #expect(!FileManager.default.fileExists(atPath: stale), "stale temporary file removed")
        for file in samples {
            let name = (file as NSString).lastPathComponent
            let written = mode == "out" ? (out as NSString).appendingPathComponent(name) : source.appendingPathComponent(name).path
            #expect(FileManager.default.fileExists(atPath: written), "\(name)")
        }
    }
}
