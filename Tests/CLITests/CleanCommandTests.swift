import BodypartTesting
import DicomCore
import Foundation
import Testing

/// `bodypart clean` end to end: the built binary, real files, a real SQLite
/// audit, real DCMTK tools, signals sent by the test.
@Suite(.serialized) struct CleanCommandTests {
    static var sampleFiles: [String] { TestEnvironment.files(under: TestEnvironment.samples).filter { $0.hasSuffix(".dcm") } }

    static func copySamples(to folder: URL) throws {
        for file in sampleFiles {
            let target = folder.appendingPathComponent((file as NSString).lastPathComponent)
            try FileManager.default.copyItem(atPath: file, toPath: target.path)
            chmod(target.path, 0o640)
        }
    }

    @Test func dryRunWritesNothingButTheAudit() throws {
        let folder = try TestEnvironment.temporaryFolder("dry")
        defer { TestEnvironment.remove(folder) }
        try Self.copySamples(to: folder)
        let before = try Self.sampleFiles.map { try Data(contentsOf: URL(fileURLWithPath: folder.appendingPathComponent(($0 as NSString).lastPathComponent).path)) }
        let audit = folder.appendingPathComponent("a.sqlite").path
        let result = try TestEnvironment.bodypart(["clean", folder.path, "--dry-run", "--audit", audit])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("NORMALIZED\tMR\tL_SPINE\t->\tLSPINE"), "prints what would change")
        #expect(result.stderr.contains("changes that would be made"))
        let after = try Self.sampleFiles.map { try Data(contentsOf: URL(fileURLWithPath: folder.appendingPathComponent(($0 as NSString).lastPathComponent).path)) }
        #expect(after == before)
        let summary = try TestEnvironment.bodypart(["audit", "summary", "--audit", audit])
        #expect(summary.stdout.contains("dry-run"))
    }

    @Test func inPlaceKeepsPermissionsAndDcmdumpNamesThePrivateBlock() throws {
        let folder = try TestEnvironment.temporaryFolder("inplace")
        defer { TestEnvironment.remove(folder) }
        try Self.copySamples(to: folder)
        let result = try TestEnvironment.bodypart(["clean", folder.path, "--in-place", "--audit", folder.appendingPathComponent("a.sqlite").path])
        #expect(result.status == 0, "\(result.stderr)")
        let file = folder.appendingPathComponent("dev-0143-mr.dcm").path
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        let dcmdump = try #require(TestEnvironment.which("dcmdump"))
        let dump = try TestEnvironment.run(dcmdump, ["-q", file],
                                           environment: ["DCMDICTPATH": "/usr/share/libdcmtk17/dicom.dic:\(TestEnvironment.privateDictionary)"]).stdout
        #expect(dump.contains("(0018,0015) CS [LSPINE]"))
        #expect(dump.contains("CS [NORMALIZED]") && dump.contains("BodyPartDecision"))
        #expect(dump.contains("DS [") && dump.contains("BodyPartPredictionConfidence"))
        #expect(dump.contains("ReasonForTheAttributeModification"))
        #expect(!dump.split(separator: "\n").contains { $0.hasPrefix("(0077,") && $0.contains(" UN ") })
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains(".bodypart-") })
    }

    @Test func badPolicyIsOneLineAndExit65() throws {
        let folder = try TestEnvironment.temporaryFolder("policy")
        defer { TestEnvironment.remove(folder) }
        let policy = folder.appendingPathComponent("p.yaml")
        try "version: 1\nthresholds:\n  fill: 2\n".write(to: policy, atomically: true, encoding: .utf8)
        let result = try TestEnvironment.bodypart(["clean", "Samples", "--dry-run", "--policy", policy.path,
                                                   "--audit", folder.appendingPathComponent("a.sqlite").path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("p.yaml:3: thresholds.fill: must be a number from 0 to 1"), "\(result.stderr)")
        #expect(try TestEnvironment.bodypart(["clean", "Samples"]).status == 64, "one of --out, --in-place, --dry-run")
    }

    /// kill -9 in the middle of a run; the same command again finishes the
    /// job, and the result equals an uninterrupted run's.
    @Test(.timeLimit(.minutes(5))) func killedRunResumesToTheSameResult() throws {
        let folder = try TestEnvironment.temporaryFolder("resume")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.dicomDevFiles.path
        let interrupted = folder.appendingPathComponent("a").path
        let reference = folder.appendingPathComponent("b").path
        let args = { (out: String) in ["clean", source, "--out", out, "--jobs", "1", "--audit", out + ".sqlite"] }
        // Start, wait until some files are written, kill -9.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.bodypart)
        process.arguments = args(interrupted)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var written = 0
        for _ in 0..<6_000 where process.isRunning && written < 40 {  // up to 2 min on a loaded machine
            usleep(20_000)
            written = TestEnvironment.files(under: URL(fileURLWithPath: interrupted)).filter { !$0.contains(".bodypart-") }.count
        }
        #expect(process.isRunning, "the run ended before it could be killed; use a larger corpus")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = TestEnvironment.files(under: URL(fileURLWithPath: interrupted)).filter { !$0.contains(".bodypart-") }.count
        #expect(partial > 0)
        let resumed = try TestEnvironment.bodypart(args(interrupted))
        #expect(resumed.stderr.contains("(resumed)"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("already done"), "\(resumed.stderr)")
        let full = try TestEnvironment.bodypart(args(reference))
        #expect(full.status == resumed.status)
        let a = TestEnvironment.files(under: URL(fileURLWithPath: interrupted)).map { $0.replacingOccurrences(of: interrupted, with: "") }
        let b = TestEnvironment.files(under: URL(fileURLWithPath: reference)).map { $0.replacingOccurrences(of: reference, with: "") }
        #expect(a == b, "same files, and no temporary file left")
        #expect(a.count >= 455)
        // Same content, time stamps aside (one tags run per tree, same file order).
        let stamps: Set<String> = ["(0400,0562)", "(0077,100B)"]
        let left = try TestEnvironment.bodypart(["tags", "--all", interrupted]).stdout.split(separator: "\n")
        let right = try TestEnvironment.bodypart(["tags", "--all", reference]).stdout.split(separator: "\n")
        #expect(left.count == right.count && left.count >= 455)
        for (x, y) in zip(left, right) {
            #expect(Self.withoutStamps(String(x), stamps) == Self.withoutStamps(String(y), stamps))
        }
    }

    static func withoutStamps(_ json: String, _ stamps: Set<String>) -> String {
        var text = json.replacingOccurrences(of: #""path":"[^"]*""#, with: "", options: .regularExpression)
        for stamp in stamps {
            text = text.replacingOccurrences(of: #"\{"tag":"\#(NSRegularExpression.escapedPattern(for: stamp))"[^}]*\}"#,
                                             with: "", options: .regularExpression)
        }
        return text.replacingOccurrences(of: #""BodyPartPredictionDateTime":"\d+""#, with: "", options: .regularExpression)
    }

    /// A full output disk: files that cannot be written are named, the run
    /// goes on, exit 1, and no half file or temporary file remains.
    @Test func fullDiskLosesNothing() throws {
        try FullDisk.withTinyFileSystem(bytes: 1_200_000) { mount in
            let out = mount.appendingPathComponent("out").path
            let audit = try TestEnvironment.temporaryFolder("fullaudit")
            defer { TestEnvironment.remove(audit) }
            let result = try TestEnvironment.bodypart(["clean", "Samples", "--out", out, "--jobs", "1",
                                                       "--audit", audit.appendingPathComponent("a.sqlite").path])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("skipped"), "\(result.stderr)")
            let written = TestEnvironment.files(under: URL(fileURLWithPath: out))
            #expect(written.allSatisfy { !$0.contains(".bodypart-") }, "no temporary file left")
            for file in written {
                // Every file that exists is complete: it reads to the end.
                #expect(try TestEnvironment.bodypart(["tags", file]).status == 0, "half file: \(file)")
            }
            #expect(written.count < Self.sampleFiles.count)
        }
    }
}
