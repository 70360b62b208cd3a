import ArgumentParser
import Foundation

/// `bodypart-bench clean`: the whole `bodypart clean` command (scan, classify,
/// decide, enrich, write atomically, audit every change) over a fresh copy of
/// the corpus, against `dcmodify` setting one tag on the same files.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "bodypart clean --out / --in-place, --jobs 1 and 2, vs dcmodify; audit size per 1,000 changes."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "The bodypart binary (release build).")
    var bodypart: String

    @Option(help: "Folder the corpus is copied to before each run (removed and re-made).")
    var scratch = "/tmp/bodypart-bench/clean"

    func run() throws {
        let names = Corpus.files(in: options.corpus).map { String($0.split(separator: "/").last!) }
        let corpus = options.corpus
        let source = scratch + "/in"
        let paths = names.map { "\(source)/\($0)" }
        let binary = bodypart
        let scratch = self.scratch
        print("## Cleanup run: \(names.count) files; bodypart clean (classify, decide, BodyPartExamined, Anatomic Region "
            + "Sequence, Original Attributes Sequence, private block, audit of every change) vs dcmodify setting one tag")
        print("machine: \(Machine.description); median of \(options.runs) runs\n")
        _ = try Subprocess.run(["mkdir", "-p", scratch])
        var auditBytesPerThousand: [Double] = []
        func clean(_ mode: [String], jobs: Int) -> BenchCase {
            BenchCase(
                name: "bodypart clean \(mode.first!) --jobs \(jobs)",
                note: "the release binary; writes are atomic (temp file, one syncfs per batch of 64 per job, rename).",
                body: {
                    try Corpus.freshCopy(of: corpus, to: source)
                    _ = try Subprocess.run(["rm", "-rf", scratch + "/out", scratch + "/audit.sqlite"])
                    let args = [binary, "clean", source] + mode + ["--jobs", "\(jobs)", "--audit", scratch + "/audit.sqlite"]
                    let start = ContinuousClock.now
                    let outcome = try Subprocess.run(args)
                    let seconds = (ContinuousClock.now - start).seconds
                    guard outcome.exitStatus == 0 else { throw BenchError("bodypart clean exited with \(outcome.exitStatus)") }
                    let changes = try CleanCommand.changeCount(scratch + "/audit.sqlite")
                    let size = try CleanCommand.databaseBytes(scratch + "/audit.sqlite")
                    if changes > 0 { auditBytesPerThousand.append(Double(size) / Double(changes) * 1000) }
                    return BenchCase.Sample(files: paths.count, seconds: seconds, cpuSeconds: outcome.cpuSeconds,
                                            peakRSSKiB: outcome.peakRSSKiB)
                })
        }
        let cases = [
            clean(["--out", scratch + "/out"], jobs: 1),
            clean(["--in-place"], jobs: 1),
            clean(["--out", scratch + "/out"], jobs: 2),
            clean(["--in-place"], jobs: 2),
            BenchCase(
                name: "dcmodify -nb -i (0018,0015)=CHEST FILES",
                note: "one process, in place, no fsync, not atomic, no classification, no audit.",
                body: {
                    try Corpus.freshCopy(of: corpus, to: source)
                    let start = ContinuousClock.now
                    let peak = try WriteCommand.dcmodify(paths)
                    let seconds = (ContinuousClock.now - start).seconds
                    return BenchCase.Sample(files: paths.count, seconds: seconds, cpuSeconds: 0, peakRSSKiB: peak)
                }),
        ]
        let results = BenchRunner.run(options.selected(cases), runs: options.runs) { print($0) }
        print("")
        print(ResultTable.render(results, reference: cases[0].name))
        if let median = auditBytesPerThousand.sorted().dropFirst(auditBytesPerThousand.count / 2).first {
            print(String(format: "\naudit database: %.0f KiB per 1,000 changes (SQLite file incl. decisions, progress, WAL checkpointed)",
                         median / 1024))
        }
        _ = try Subprocess.run(["rm", "-rf", scratch])
    }

    static func changeCount(_ database: String) throws -> Int {
        let out = try Subprocess.capture(["sqlite3", database, "select count(*) from changes"])
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func databaseBytes(_ database: String) throws -> Int {
        _ = try Subprocess.capture(["sqlite3", database, "PRAGMA wal_checkpoint(TRUNCATE);"])
        let attributes = try FileManager.default.attributesOfItem(atPath: database)
        return (attributes[.size] as? Int) ?? 0
    }
}

extension Subprocess {
    /// Runs `arguments` and returns what it printed on standard output.
    static func capture(_ arguments: [String]) throws -> String {
        let path = "/tmp/bodypart-bench-capture-\(getpid()).txt"
        defer { unlink(path) }
        let outcome = try run(arguments, stdoutPath: path)
        guard outcome.exitStatus == 0 else { throw BenchError("\(arguments[0]) exited with \(outcome.exitStatus)") }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
