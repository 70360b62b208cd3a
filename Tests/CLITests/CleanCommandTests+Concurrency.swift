import Audit
import BodypartTesting
import Foundation
import Testing

/// Runs that meet: two `clean`s on one audit file or one target tree, and a
/// run killed with -9 then resumed (the built binary, real files, a real
/// SQLite audit). Part of `CleanCommandTests`, so that these heavy runs
/// never overlap its own timed kill test.
extension CleanCommandTests {
    /// Starts `bodypart ARGS` in the background.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.bodypart)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `count` files (no temporary ones) are under `folder`.
    static func waitForFiles(_ folder: String, _ count: Int, while process: Process) {
        for _ in 0..<1500 where process.isRunning {
            if TestEnvironment.files(under: URL(fileURLWithPath: folder)).filter({ !$0.contains(".bodypart-") }).count >= count { return }
            usleep(20_000)
        }
    }

    @Test(.timeLimit(.minutes(5))) func secondRunOnTheSameAuditOrTreeIsRefused() throws {
        let folder = try TestEnvironment.temporaryFolder("two-runs")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.dicomDevFiles.path
        let out = folder.appendingPathComponent("out").path
        let audit = folder.appendingPathComponent("a.sqlite").path
        let first = try Self.start(["clean", source, "--out", out, "--jobs", "1", "--audit", audit])
        Self.waitForFiles(out, 10, while: first)
        // Held still (SIGSTOP) while it holds its locks, so that it cannot end
        // before the other runs have tried, however slow they start.
        #expect(first.isRunning, "the first run ended before the second started; use a larger corpus")
        kill(first.processIdentifier, SIGSTOP)
        defer { kill(first.processIdentifier, SIGCONT) }
        // Same audit file, another tree.
        let second = try TestEnvironment.bodypart(["clean", "Samples", "--out", folder.appendingPathComponent("other").path,
                                                   "--audit", audit])
        // Same tree, another audit file.
        let third = try TestEnvironment.bodypart(["clean", "Samples", "--out", out, "--audit", folder.appendingPathComponent("b.sqlite").path])
        kill(first.processIdentifier, SIGCONT)
        first.waitUntilExit()
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("in use by another bodypart run (pid \(first.processIdentifier)"), "\(second.stderr)")
        #expect(third.status == 75, "\(third.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("other").path + "/dev-0001-ct.dcm"))
        #expect(first.terminationStatus == 0 || first.terminationStatus == 1)
        let store = try AuditStore(path: audit, readOnly: true)
        #expect(try store.runs().count == 1, "one run in the audit")
        // With --wait the second run waits for the first, then runs.
        let again = try Self.start(["clean", source, "--out", folder.appendingPathComponent("c").path, "--jobs", "1",
                                    "--audit", audit])
        Self.waitForFiles(folder.appendingPathComponent("c").path, 5, while: again)
        #expect(again.isRunning)
        kill(again.processIdentifier, SIGSTOP)
        defer { kill(again.processIdentifier, SIGCONT) }
        let waiting = try Self.start(["clean", "Samples", "--out", folder.appendingPathComponent("other").path, "--audit", audit, "--wait"])
        usleep(1_000_000)
        #expect(waiting.isRunning, "waits while the other run holds the audit")
        kill(again.processIdentifier, SIGCONT)
        again.waitUntilExit()
        waiting.waitUntilExit()
        #expect(waiting.terminationStatus == 0)
        let runs = try store.runs()
        #expect(runs.count == 3)
        #expect(runs.allSatisfy { $0.status == .done }, "\(runs.map(\.status))")
    }

    /// kill -9 mid-run, then the same command: each change recorded once (as
    /// many change rows as an uninterrupted run), no temporary file left.
    @Test(.timeLimit(.minutes(5))) func killNineThenResumeRecordsEachChangeOnce() throws {
        let folder = try TestEnvironment.temporaryFolder("kill-once")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.dicomDevFiles.path
        let args = { (name: String) in
            ["clean", source, "--out", folder.appendingPathComponent(name).path, "--jobs", "1",
             "--audit", folder.appendingPathComponent(name + ".sqlite").path]
        }
        var killed = 0
        for round in 0..<3 {
            let process = try Self.start(args("a"))
            Self.waitForFiles(folder.appendingPathComponent("a").path, 60 + 120 * round, while: process)
            if process.isRunning { kill(process.processIdentifier, SIGKILL); killed += 1 }
            process.waitUntilExit()
        }
        #expect(killed > 0, "no run could be killed; use a larger corpus")
        let resumed = try TestEnvironment.bodypart(args("a"))
        let reference = try TestEnvironment.bodypart(args("b"))
        #expect(resumed.status == reference.status, "\(resumed.stderr)")
        let changes = try AuditStore(path: folder.appendingPathComponent("a.sqlite").path, readOnly: true).changes(runID: nil, series: nil)
        let keys = changes.map { "\($0.sourcePath)|\($0.tag)" }
        #expect(Set(keys).count == keys.count, "\(keys.count - Set(keys).count) change rows recorded twice")
        let expected = try AuditStore(path: folder.appendingPathComponent("b.sqlite").path, readOnly: true).changes(runID: nil, series: nil)
        #expect(changes.count == expected.count)
        let left = TestEnvironment.files(under: folder.appendingPathComponent("a")).filter { $0.contains(".bodypart-") }
        #expect(left.isEmpty, "temporary files left: \(left)")
    }
}
