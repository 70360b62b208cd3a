import Audit
import BodypartTesting
import Foundation
import GRDB
import Testing

/// End-to-end: the built `bodypart audit ...` against databases filled through the Audit API.
@Suite struct AuditCommandTests {
    /// A database with one finished run: 2 FILLED CT CHEST series (2 changes), 1 FLAGGED MR, 1 ABSTAINED.
    static func filled() throws -> (URL, String) {
        let folder = try TestEnvironment.temporaryFolder("audit-cli")
        let path = folder.appendingPathComponent("bodypart-audit.sqlite").path
        let store = try AuditStore(path: path)
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        let runID = try store.startRun(RunRecord(jobKey: "k", command: "bodypart clean --out o in", mode: .out,
                                                 policyHash: "p", modelID: "m1", host: "h", startedAt: date))
        func decision(_ series: String, _ modality: String, _ predicted: String?, _ confidence: Double, _ decision: DecisionKind,
                      old: String?, new: String?) -> DecisionRecord {
            DecisionRecord(runID: runID, studyInstanceUID: "1.9", seriesInstanceUID: series, modality: modality,
                           predictedBodyPart: predicted, confidence: confidence, decision: decision, reason: "why \(series)",
                           evidenceJSON: #"{"SeriesDescription":"CT THORAX"}"#, currentBodyPartExamined: old,
                           newBodyPartExamined: new, files: 1, createdAt: date)
        }
        let decisions = [
            decision("1.9.1", "CT", "CHEST", 0.97, .filled, old: nil, new: "CHEST"),
            decision("1.9.2", "CT", "CHEST", 0.91, .filled, old: nil, new: "CHEST"),
            decision("1.9.3", "MR", "HEAD", 0.70, .flagged, old: "KNEE", new: nil),
            decision("1.9.4", "MR", nil, 0.20, .abstained, old: nil, new: nil),
        ]
        let changes = ["1.9.1", "1.9.2"].map { series in
            ChangeRecord(runID: runID, seriesInstanceUID: series, sopInstanceUID: "\(series).1", sourcePath: "in/\(series).dcm",
                         outputPath: "o/\(series).dcm", tag: "(0018,0015)", keyword: "BodyPartExamined", oldValue: nil,
                         newValue: "CHEST", reason: "missing; confident", createdAt: date)
        }
        try store.append(decisions: decisions, changes: changes, errors: [], progress: [])
        try store.finishRun(id: runID, status: .done, counts: ["written": 2])
        return (folder, path)
    }

    @Test func summaryTextAndJSON() throws {
        let (folder, path) = try Self.filled()
        defer { TestEnvironment.remove(folder) }
        let text = try TestEnvironment.bodypart(["audit", "summary", "--audit", path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("series 4\tfiles 4\tchanges 2\terrors 0"))
        #expect(text.stdout.contains("  FILLED\t2\n"))
        #expect(text.stdout.contains("  (missing) -> CHEST\t2\n"))
        let json = try TestEnvironment.bodypart(["audit", "summary", "--audit", path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["decisions"] as? [String: Int])?["FLAGGED"] == 1)
        #expect((object["runs"] as? [[String: Any]])?.first?["status"] as? String == "done")
    }

    @Test func listFilters() throws {
        let (folder, path) = try Self.filled()
        defer { TestEnvironment.remove(folder) }
        func rows(_ extra: [String]) throws -> [Substring] {
            let result = try TestEnvironment.bodypart(["audit", "list", "--audit", path] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").dropFirst().map { $0 }
        }
        #expect(try rows([]).count == 4)
        #expect(try rows(["--decision", "filled"]).count == 2)
        #expect(try rows(["--body-part", "KNEE"]).map { $0.hasSuffix("1.9.3") } == [true])
        #expect(try rows(["--series", "1.9.4"]).first?.hasPrefix("1\tABSTAINED\t0.200\tMR\t-\t-\t-\t1\t1.9.4") == true)
        #expect(try rows(["--run", "2"]).isEmpty)
        #expect(try rows(["--since", "2026-01-01"]).count == 4)
        #expect(try rows(["--since", "2027-01-01T00:00:00Z"]).isEmpty)
        let jsonl = try TestEnvironment.bodypart(["audit", "list", "--audit", path, "--format", "jsonl"])
        #expect(jsonl.stdout.split(separator: "\n").count == 4)
        #expect(try TestEnvironment.bodypart(["audit", "list", "--audit", path, "--decision", "MAYBE"]).status == 64)
        #expect(try TestEnvironment.bodypart(["audit", "list", "--audit", path, "--since", "yesterday"]).status == 64)
    }

    @Test func showSeries() throws {
        let (folder, path) = try Self.filled()
        defer { TestEnvironment.remove(folder) }
        let result = try TestEnvironment.bodypart(["audit", "show", "1.9.1", "--audit", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("FILLED") && result.stdout.contains("why 1.9.1") && result.stdout.contains("CT THORAX"))
        #expect(result.stdout.contains("changes: 1\n"))
        #expect(result.stdout.contains("(0018,0015) BodyPartExamined\t(absent) -> CHEST\to/1.9.1.dcm"))
        let missing = try TestEnvironment.bodypart(["audit", "show", "9.9.9", "--audit", path])
        #expect(missing.status == 1 && missing.stderr.contains("nothing recorded about series 9.9.9"))
    }

    @Test func exportCSVAndJSON() throws {
        let (folder, path) = try Self.filled()
        defer { TestEnvironment.remove(folder) }
        let csv = try TestEnvironment.bodypart(["audit", "export", "--format", "csv", "--audit", path])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 5)
        #expect(csv.stdout.hasPrefix("id,runID,studyInstanceUID,"))
        let out = folder.appendingPathComponent("changes.csv").path
        let written = try TestEnvironment.bodypart(["audit", "export", "--format", "csv", "--records", "changes",
                                                    "--out", out, "--audit", path])
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains(#","(0018,0015)",BodyPartExamined,,CHEST,"#))
        let json = try TestEnvironment.bodypart(["audit", "export", "--format", "json", "--audit", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["decisions"] as? [Any])?.count == 4 && (object["changes"] as? [Any])?.count == 2)
        #expect(try TestEnvironment.bodypart(["audit", "export", "--format", "csv", "--records", "all",
                                              "--audit", path]).status == 64)
        let unwritable = try TestEnvironment.bodypart(["audit", "export", "--format", "json", "--out",
                                                       folder.appendingPathComponent("no/such/dir.json").path, "--audit", path])
        #expect(unwritable.status == 73 && unwritable.stderr.split(separator: "\n").count == 1)
    }

    @Test func htmlReport() throws {
        let (folder, path) = try Self.filled()
        defer { TestEnvironment.remove(folder) }
        let file = folder.appendingPathComponent("report.html").path
        let result = try TestEnvironment.bodypart(["audit", "report", "--html", file, "--audit", path])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.contains("<td id=\"count-FILLED\" data-count=\"2\">2</td>"))
        #expect(html.contains("<td id=\"total-attention\" data-count=\"2\">"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test func verifyIntactThenTampered() throws {
        let (folder, path) = try Self.filled()
        defer { TestEnvironment.remove(folder) }
        let intact = try TestEnvironment.bodypart(["audit", "verify", "--audit", path])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.hasPrefix("\(path): intact, 9 rows in 4 chains"))
        // Edit a change with a tool that drops the append-only trigger first.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER changes_no_update; UPDATE changes SET newValue = 'HEAD' WHERE id = 2")
        }
        let broken = try TestEnvironment.bodypart(["audit", "verify", "--audit", path])
        #expect(broken.status == 1)
        #expect(broken.stderr == "bodypart: \(path): hash chain broken at changes row 2: contents do not match its hash (edited)\n")
    }

    @Test func missingAndForeignDatabases() throws {
        let folder = try TestEnvironment.temporaryFolder("audit-cli-bad")
        defer { TestEnvironment.remove(folder) }
        let missing = try TestEnvironment.bodypart(["audit", "summary", "--audit", folder.appendingPathComponent("none.sqlite").path])
        #expect(missing.status == 66)
        #expect(missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("cannot open the audit database"))
        let text = folder.appendingPathComponent("notes.sqlite")
        try Data("just text\n".utf8).write(to: text)
        for command in [["summary"], ["list"], ["verify"], ["show", "1.2"], ["export", "--format", "json"]] {
            let result = try TestEnvironment.bodypart(["audit"] + command + ["--audit", text.path])
            #expect(result.status == 65, "\(command)")
            #expect(result.stderr == "bodypart: \(text.path): not a bodypart audit database; give the file a clean run wrote (--audit FILE)\n")
        }
    }
}
