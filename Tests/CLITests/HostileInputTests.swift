import BodypartTesting
import Foundation
import GRDB
import Testing

/// Issue 14 through the built binary: a 6,000-level nest (was exit 139), the
/// exit-code table (the same in every command), skipped files named, the
/// audit head printed and checked with `verify --expect`.
@Suite(.serialized) struct HostileInputTests {
    static func folderWithDeepNest() throws -> URL {
        let folder = try TestEnvironment.temporaryFolder("hostile")
        try Data(HostileDicom.nestedSequences(depth: 6000)).write(to: folder.appendingPathComponent("deep.dcm"))
        let sample = TestEnvironment.files(under: TestEnvironment.samples).first { $0.hasSuffix(".dcm") }!
        try FileManager.default.copyItem(atPath: sample, toPath: folder.appendingPathComponent("good.dcm").path)
        return folder
    }

    @Test func deepNestIsOneLineInTagsAndASkippedFileInClean() throws {
        let folder = try Self.folderWithDeepNest()
        defer { TestEnvironment.remove(folder) }
        let deep = folder.appendingPathComponent("deep.dcm").path
        let tags = try TestEnvironment.bodypart(["tags", deep])
        #expect(tags.status == 1, "\(tags.stderr)")
        #expect(tags.stderr.hasPrefix("bodypart: \(deep): sequences nested deeper than 128 levels ((0040,A730) at byte "))
        #expect(tags.stderr.hasSuffix("); not read\n") && tags.stderr.split(separator: "\n").count == 1)
        let out = folder.appendingPathComponent("out")
        let clean = try TestEnvironment.bodypart(["clean", folder.path, "--out", out.path])
        #expect(clean.status == 1, "\(clean.stderr)")
        // Named on stderr without --verbose, and the run finishes (not left running).
        #expect(clean.stderr.contains("bodypart: \(deep): sequences nested deeper than 128 levels"))
        let audit = out.appendingPathComponent("bodypart-audit.sqlite").path
        let status = try DatabaseQueue(path: audit).read { db in
            try String.fetchOne(db, sql: "SELECT status FROM run_events ORDER BY id DESC LIMIT 1")
        }
        #expect(status == "done")
        let rerun = try TestEnvironment.bodypart(["clean", folder.path, "--out", out.path])
        #expect(rerun.status == 1 && rerun.stderr.contains("deep.dcm: sequences nested"))
    }

    @Test func exitCodesAreTheSameInEveryCommand() throws {
        let folder = try TestEnvironment.temporaryFolder("exits")
        defer { TestEnvironment.remove(folder) }
        let missing = folder.appendingPathComponent("nowhere").path
        for command in [["tags"], ["classify"], ["pixelcheck"], ["clean", "--dry-run", "--audit", folder.appendingPathComponent("a.sqlite").path]] {
            let result = try TestEnvironment.bodypart(command + [missing])
            #expect(result.status == 66, "\(command[0]) on a missing path: \(result.stderr)")
            #expect(result.stderr == "bodypart: \(missing): no such file or folder\n", "\(command[0])")
        }
        // No DICOM at all: 66 (was 0, "decisions: none").
        try Data("a report\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let none = try TestEnvironment.bodypart(["clean", folder.path, "--dry-run", "--audit",
                                                 folder.appendingPathComponent("b.sqlite").path])
        #expect(none.status == 66, "\(none.stderr)")
        #expect(none.stderr.contains("no DICOM files found"))
        #expect(none.stderr.contains("notes.txt: not a DICOM file"), "non-DICOM files are named too")
    }

    @Test func readOnlyOutputFolderIs73() throws {
        let source = try Self.folderWithDeepNest()
        defer { TestEnvironment.remove(source) }
        try FullDisk.withReadOnlyFolder { readOnly in
            let audit = source.appendingPathComponent("a.sqlite").path
            let result = try TestEnvironment.bodypart(["clean", source.path, "--out", readOnly.path, "--audit", audit])
            #expect(result.status == 73, "\(result.stderr)")
            #expect(result.stderr.contains("\(readOnly.path): cannot write into the output folder"))
        }
    }

    @Test func auditHeadIsPrintedReportedExportedAndChecked() throws {
        let folder = try Self.folderWithDeepNest()
        defer { TestEnvironment.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let audit = out.appendingPathComponent("bodypart-audit.sqlite").path
        let clean = try TestEnvironment.bodypart(["clean", folder.path, "--out", out.path])
        let line = try #require(clean.stderr.split(separator: "\n").first { $0.hasPrefix("bodypart: audit head ") })
        let anchor = String(line.split(separator: " ").last!)
        #expect(try TestEnvironment.bodypart(["audit", "verify", "--audit", audit, "--expect", anchor]).status == 0)
        // The report lists the error and shows the head; export has the error.
        let html = folder.appendingPathComponent("r.html").path
        #expect(try TestEnvironment.bodypart(["audit", "report", "--audit", audit, "--html", html, "--no-previews"]).status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("data-kind=\"malformed\"") && page.contains("deep.dcm"))
        #expect(page.contains("data-head=\"\(anchor)\""))
        let export = try TestEnvironment.bodypart(["audit", "export", "--format", "csv", "--records", "errors", "--audit", audit])
        #expect(export.stdout.hasPrefix("id,runID,path,kind,message,createdAt,hash"))
        #expect(export.stdout.contains("deep.dcm") && export.stdout.contains("nested deeper than 128 levels"))
        // An edited row: --expect fails (AnchorTests covers an edit with the chain re-hashed).
        try DatabaseQueue(path: audit).write { db in
            try db.execute(sql: "DROP TRIGGER runs_no_update")
            try db.execute(sql: "UPDATE runs SET host = 'elsewhere' WHERE id = 1")
        }
        let forged = try TestEnvironment.bodypart(["audit", "verify", "--audit", audit, "--expect", anchor])
        #expect(forged.status == 1)
    }

    @Test func helpShowsEachDefaultOnce() throws {
        for command in ["clean", "classify", "tags", "pixelcheck", "train", "evaluate", "proxy"] {
            let help = try TestEnvironment.bodypart(["help", command]).stdout
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.range(of: #"\(default: [^)]*\)\.? \(default: "#, options: .regularExpression) == nil, "\(command)")
        }
    }
}
