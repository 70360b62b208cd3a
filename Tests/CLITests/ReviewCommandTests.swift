import BodypartTesting
import Foundation
import Testing

/// `bodypart review` end to end: a real chest volume whose header dcmodify
/// rewrites to say HEAD, cleaned by the built binary with `pixelCheck:
/// always`, then listed, shown and settled in a real SQLite audit.
@Suite(.serialized) struct ReviewCommandTests {
    static let lung = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung")

    /// The folder with the disputed series, its audit, and the series UID.
    static func disputedRun(in folder: URL, mode: [String] = ["--dry-run"]) throws -> (audit: String, series: String) {
        let copy = folder.appendingPathComponent("lung")
        try FileManager.default.copyItem(at: lung, to: copy)
        let files = TestEnvironment.files(under: copy)
        let edit = try TestEnvironment.run("dcmodify", ["-nb", "-m", "(0018,0015)=HEAD", "-i", "(0008,103E)=HEAD W/O CONTRAST",
                                                         "-i", "(0008,1030)=CT BRAIN", "-i", "(0018,1030)=BRAIN ROUTINE"] + files)
        #expect(edit.status == 0, "\(edit.stderr)")
        let policy = folder.appendingPathComponent("policy.yaml")
        try Data("pixelCheck: always\n".utf8).write(to: policy)
        let audit = folder.appendingPathComponent("a.sqlite").path
        let clean = try TestEnvironment.bodypart(["clean", copy.path] + mode + ["--policy", policy.path, "--audit", audit])
        #expect(clean.status == 0, "\(clean.stderr)")
        if mode == ["--dry-run"] { #expect(clean.stdout.hasPrefix("FLAGGED\tCT\tHEAD\t->\t(kept)"), "\(clean.stdout)") }
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

    /// `review show --previews` and `audit report --html` write the PNG
    /// previews of the disputed series (found through the audit although
    /// FLAGGED changed nothing) and the page links them; once the files are
    /// gone the page says so instead.
    @Test func previews() throws {
        let folder = try TestEnvironment.temporaryFolder("review-previews")
        defer { TestEnvironment.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let (audit, series) = try Self.disputedRun(in: folder, mode: ["--out", out.path])
        // The cleaned copies are read when the inputs are gone.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("lung"))

        let show = try TestEnvironment.bodypart(["review", "show", series, "--audit", audit, "--previews"])
        #expect(show.status == 0, "\(show.stderr)")
        let mid = audit + ".previews/\(series)-mid.png", coronal = audit + ".previews/\(series)-coronal.png"
        #expect(show.stdout.contains("preview     mid slice        \(mid)  256×256  slice 16 of 30"), "\(show.stdout)")
        #expect(show.stdout.contains("preview     coronal reformat \(coronal)  256×186  "), "\(show.stdout)")
        #expect(try Self.pngSize(mid) == "256 x 256" && Self.pngSize(coronal) == "256 x 186")

        let dir = folder.appendingPathComponent("pictures").path
        let json = try TestEnvironment.bodypart(["review", "show", series, "--audit", audit, "--previews-dir", dir, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let pictures = try #require((object["previews"] as? [String: Any])?["pictures"] as? [[String: Any]])
        #expect(pictures.map { $0["view"] as? String } == ["mid", "coronal"])
        #expect(pictures.map { $0["height"] as? Int } == [256, 186])
        #expect(pictures.map { $0["file"] as? String } == ["\(dir)/\(series)-mid.png", "\(dir)/\(series)-coronal.png"])
        #expect(FileManager.default.fileExists(atPath: "\(dir)/\(series)-coronal.png"))

        let html = folder.appendingPathComponent("report.html").path
        let report = try TestEnvironment.bodypart(["audit", "report", "--html", html, "--audit", audit])
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        let sources = Self.imageSources(page)
        #expect(sources == ["report-previews/\(series)-mid.png", "report-previews/\(series)-coronal.png"])
        for source in sources { #expect(try Self.pngSize(folder.appendingPathComponent(source).path) != nil, "\(source)") }
        #expect(page.contains("width=\"256\" height=\"186\" alt=\"coronal reformat of \(series)\""))
        #expect(page.contains("CT W 400 L 40") && !page.contains("data-preview=\"missing\""))

        let bare = folder.appendingPathComponent("bare.html").path
        #expect(try TestEnvironment.bodypart(["audit", "report", "--html", bare, "--audit", audit, "--no-previews"]).status == 0)
        #expect(Self.imageSources(try String(contentsOfFile: bare, encoding: .utf8)).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("bare-previews").path))

        // The files gone: the report says so, exits 0, and drops the stale pictures.
        try FileManager.default.removeItem(at: out)
        let again = try TestEnvironment.bodypart(["audit", "report", "--html", html, "--audit", audit])
        #expect(again.status == 0, "\(again.stderr)")
        let stale = try String(contentsOfFile: html, encoding: .utf8)
        #expect(Self.imageSources(stale).isEmpty)
        #expect(stale.contains("<p class=\"muted\" data-preview=\"missing\">the 30 file(s) recorded for this series are no longer present"))
        #expect(!stale.contains("No mid slice"), "the note alone, not one line per picture")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report-previews/\(series)-mid.png").path))
        let gone = try TestEnvironment.bodypart(["review", "show", series, "--audit", audit, "--previews"])
        #expect(gone.status == 0 && gone.stdout.contains("preview     mid slice        not made: the 30 file(s)"), "\(gone.stdout)")
    }

    /// `file`'s "W x H" for a PNG, nil when it is not one.
    static func pngSize(_ path: String) throws -> String? {
        let result = try TestEnvironment.run("file", ["-b", path])
        guard result.stdout.hasPrefix("PNG image data, ") else { return nil }
        return result.stdout.split(separator: ",").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func imageSources(_ html: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #"<img src="([^"]+)""#) else { return [] }
        let ns = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }
}
