import BodypartTesting
import Foundation
import Testing

/// `bodypart review` end to end: a real chest volume whose header dcmodify
/// rewrites to say HEAD, cleaned by the built binary with `pixelCheck:
/// always`, then listed, shown and settled in a real SQLite audit.
@Suite(.serialized) struct ReviewCommandTests {
    static let lung = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung")

    /// The folder with the disputed series, its audit, and the series UID.
    static func disputedRun(in folder: URL) throws -> (audit: String, series: String) {
        let copy = folder.appendingPathComponent("lung")
        try FileManager.default.copyItem(at: lung, to: copy)
        let files = TestEnvironment.files(under: copy)
        let edit = try TestEnvironment.run("dcmodify", ["-nb", "-m", "(0018,0015)=HEAD", "-i", "(0008,103E)=HEAD W/O CONTRAST",
                                                         "-i", "(0008,1030)=CT BRAIN", "-i", "(0018,1030)=BRAIN ROUTINE"] + files)
        #expect(edit.status == 0, "\(edit.stderr)")
        let policy = folder.appendingPathComponent("policy.yaml")
        try Data("pixelCheck: always\n".utf8).write(to: policy)
        let audit = folder.appendingPathComponent("a.sqlite").path
        let clean = try TestEnvironment.bodypart(["clean", copy.path, "--dry-run", "--policy", policy.path, "--audit", audit])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.hasPrefix("FLAGGED\tCT\tHEAD\t->\t(kept)"), "\(clean.stdout)")
        let list = try TestEnvironment.bodypart(["review", "list", "--audit", audit, "--format", "jsonl"])
        let row = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        return (audit, try #require(row["seriesInstanceUID"] as? String))
    }

    @Test func listShowAndVerdicts() throws {
        let folder = try TestEnvironment.temporaryFolder("review")
        defer { TestEnvironment.remove(folder) }
        let (audit, series) = try Self.disputedRun(in: folder)

        let table = try TestEnvironment.bodypart(["review", "list", "--audit", audit])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first == "STATUS\tMETADATA\tPIXEL\tSENT\tLABEL\tMODALITY\tRUN\tSERIES")
        // The metadata answer is HEAD, or none where the model abstains: the
        // dispute is the sent HEAD against the pixels' CHEST either way.
        #expect(lines.count == 2 && lines[1].hasPrefix("open\t") && lines[1].contains("\tCHEST 0.9") && lines[1].contains("\tHEAD\t"))

        let show = try TestEnvironment.bodypart(["review", "show", series, "--audit", audit])
        #expect(show.status == 0, "\(show.stderr)")
        for expected in ["sent        BodyPartExamined HEAD", "pixel       CHEST", "model pixelcheck", "metadata evidence",
                         "pixel evidence     CHEST → CHEST", "30 slices", "FLAGGED", "status      open"] {
            #expect(show.stdout.contains(expected), "\(expected) in \(show.stdout)")
        }
        let json = try TestEnvironment.bodypart(["review", "show", series, "--audit", audit, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["review"] as? [String: Any])?["pixelAnswer"] as? String == "CHEST")
        #expect((object["decisions"] as? [Any])?.count == 1)

        let accept = try TestEnvironment.bodypart(["review", "accept", series, "--audit", audit, "--reviewer", "dr.a",
                                                   "--note", "lungs on every slice"])
        #expect(accept.status == 0 && accept.stdout == "accepted\tCHEST\t\(series)\tdr.a\n", "\(accept.stdout)\(accept.stderr)")
        let relabel = try TestEnvironment.bodypart(["review", "relabel", series, "lung", "--audit", audit])
        #expect(relabel.status == 0 && relabel.stdout.hasPrefix("relabelled\tLUNG\t"), "\(relabel.stdout)\(relabel.stderr)")
        let reject = try TestEnvironment.bodypart(["review", "reject", series, "--audit", audit])
        #expect(reject.status == 0 && reject.stdout.hasPrefix("rejected\tHEAD\t"))

        #expect(try TestEnvironment.bodypart(["review", "list", "--audit", audit]).stdout.split(separator: "\n").count == 1)
        let all = try TestEnvironment.bodypart(["review", "list", "--audit", audit, "--status", "rejected"])
        #expect(all.stdout.contains("rejected\t") && all.stdout.contains("\tHEAD\tCT\t"))
        let history = try TestEnvironment.bodypart(["review", "show", series, "--audit", audit])
        #expect(["open", "accepted", "relabelled", "rejected"].allSatisfy { history.stdout.contains("  \($0)  ") })
        #expect(history.stdout.contains("dr.a  lungs on every slice"))
        let verify = try TestEnvironment.bodypart(["audit", "verify", "--audit", audit])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func wrongUse() throws {
        let folder = try TestEnvironment.temporaryFolder("review-bad")
        defer { TestEnvironment.remove(folder) }
        let (audit, series) = try Self.disputedRun(in: folder)
        let unknown = try TestEnvironment.bodypart(["review", "accept", "1.2.3", "--audit", audit])
        #expect(unknown.status == 1 && unknown.stderr.contains("series 1.2.3 is not in the review queue"))
        let show = try TestEnvironment.bodypart(["review", "show", "1.2.3", "--audit", audit])
        #expect(show.status == 1)
        let term = try TestEnvironment.bodypart(["review", "relabel", series, "SPLEENY", "--audit", audit])
        #expect(term.status == 64 && term.stderr.contains("'SPLEENY' is not a defined term"))
        let status = try TestEnvironment.bodypart(["review", "list", "--status", "maybe", "--audit", audit])
        #expect(status.status == 64)
        let missing = folder.appendingPathComponent("none.sqlite").path
        #expect(try TestEnvironment.bodypart(["review", "list", "--audit", missing]).status == 66)
        #expect(try TestEnvironment.bodypart(["review", "accept", series, "--audit", missing]).status == 66)
        #expect(!FileManager.default.fileExists(atPath: missing), "a verdict never creates an audit file")
    }
}
