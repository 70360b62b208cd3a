import ArgumentParser
import DicomCore
import DicomIO

#if canImport(Glibc)
    import Glibc
#endif

/// `bodypart-bench write`: read the whole object, set BodyPartExamined, write
/// atomically, over a fresh copy of the corpus each run; against dcmodify.
struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Full-object edit + atomic write of every corpus file vs dcmodify."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Files staged per AtomicWriter commit (one syncfs each).")
    var batch = 64

    @Option(help: "Folder the corpus is copied to before each run (removed and re-made).")
    var scratch = "/tmp/bodypart-bench/write"

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    static let edits: [Edit] = [.set(.bodyPartExamined, .CS, "CHEST")]

    func run() throws {
        if options.cpu >= 0 { try Machine.pin(to: options.cpu) }
        try Dcmtk.setUp(privateDictionary: nil)
        let names = Corpus.files(in: options.corpus).map { String($0.split(separator: "/").last!) }
        let corpus = options.corpus
        let target = scratch
        let paths = names.map { "\(target)/\($0)" }
        let batch = self.batch
        print("## Edit + write: \(names.count) files, set (0018,0015)=CHEST, fresh copy of the corpus per run")
        print("machine: \(Machine.description); CPUs allowed: \(Machine.allowedCPUs); median of \(options.runs) runs\n")

        let cases = [
            BenchCase(
                name: "bodypart AtomicWriter batch of \(batch)",
                note: "DicomObject(path:) → apply → AtomicWriter.stage, commit every \(batch) files: one syncfs "
                    + "per batch, renames, one folder fsync per batch. syncfs also flushes other processes' dirty "
                    + "data on the file system, so this figure moves with the machine's load.",
                body: {
                    try WriteCommand.timed(corpus, target, paths) {
                        let writer = AtomicWriter()
                        for path in paths {
                            let object = try DicomObject(path: path)
                            try object.apply(WriteCommand.edits)
                            try writer.stage(object, to: path, permissions: WriteCommand.permissions(of: path))
                            if writer.pendingCount == batch { try writer.commit() }
                        }
                        try writer.commit()
                        return nil
                    }
                }),
            BenchCase(
                name: "bodypart AtomicWriter.write per file",
                note: "the same, one fsync of the file and one of its folder per file.",
                body: {
                    try WriteCommand.timed(corpus, target, paths) {
                        for path in paths {
                            let object = try DicomObject(path: path)
                            try object.apply(WriteCommand.edits)
                            try AtomicWriter.write(object, to: path, permissions: WriteCommand.permissions(of: path))
                        }
                        return nil
                    }
                }),
            BenchCase(
                name: "dcmodify -nb -i (0018,0015)=CHEST FILES",
                note: "one process over all files, no backup. -i inserts or overwrites (what bodypart's .set "
                    + "does; -m fails on the 32 ct_scans files that lack the element). dcmodify does NOT fsync "
                    + "and writes in place, not atomically: its data is still in the page cache when it exits.",
                body: { try WriteCommand.timed(corpus, target, paths) { try WriteCommand.dcmodify(paths) } }),
            BenchCase(
                name: "dcmodify as above, then one sync()",
                note: "dcmodify followed by one sync(2), timed together: the cost of making its output durable once.",
                body: {
                    try WriteCommand.timed(corpus, target, paths) {
                        let peak = try WriteCommand.dcmodify(paths)
                        sync()
                        return peak
                    }
                }),
        ]
        let results = BenchRunner.run(options.selected(cases), runs: options.runs) { print($0) }
        print("")
        print(ResultTable.render(results, reference: cases[0].name))
        _ = try Subprocess.run(["rm", "-rf", target])
    }

    /// Copies the corpus to `target` (untimed), times `body` (which returns a
    /// child process's peak RSS, or nil to take this process's), then checks
    /// (untimed) that every file now says CHEST.
    static func timed(_ corpus: String, _ target: String, _ paths: [String], _ body: () throws -> Int?) throws
        -> BenchCase.Sample
    {
        try Corpus.freshCopy(of: corpus, to: target)
        Machine.resetPeakRSS()
        let cpuStart = Machine.cpuSeconds(includingChildren: true)
        let start = ContinuousClock.now
        let childPeak = try body()
        let seconds = (ContinuousClock.now - start).seconds
        let cpu = Machine.cpuSeconds(includingChildren: true) - cpuStart
        let peak = childPeak ?? Machine.peakRSSKiB()
        let reader = HeaderReader()
        for path in paths {
            let value = try reader.read(path).dataset.string(.bodyPartExamined)
            guard value == "CHEST" else { throw BenchError("\(path): BodyPartExamined is \(value ?? "absent") after the write") }
        }
        return BenchCase.Sample(files: paths.count, seconds: seconds, cpuSeconds: cpu, peakRSSKiB: peak)
    }

    /// Runs dcmodify once over `paths`; returns its peak RSS in KiB.
    static func dcmodify(_ paths: [String]) throws -> Int {
        guard Subprocess.exists("dcmodify") else { throw BenchError("dcmodify not installed (apt: dcmtk)") }
        let outcome = try Subprocess.run(["dcmodify", "-nb", "-i", "(0018,0015)=CHEST"] + paths)
        guard outcome.exitStatus == 0 else { throw BenchError("dcmodify exited with \(outcome.exitStatus)") }
        return outcome.peakRSSKiB
    }

    static func permissions(of path: String) throws -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { throw BenchError("\(path): cannot stat") }
        return info.st_mode & 0o7777
    }
}
