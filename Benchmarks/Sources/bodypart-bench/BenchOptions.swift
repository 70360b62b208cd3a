import ArgumentParser

/// Options shared by every benchmark.
struct BenchOptions: ParsableArguments {
    @Option(help: "Folder of DICOM files to measure (read only; not recursive).")
    var corpus: String

    @Option(help: "Timed runs per case; the median is reported.")
    var runs = 3

    @Option(help: "CPU to pin this process and its reference tools to; -1 for no pinning.")
    var cpu = 0

    @Option(help: "Run only the cases whose name contains this text (e.g. for a profiler).")
    var only: String?

    /// The cases selected by --only.
    func selected(_ cases: [BenchCase]) -> [BenchCase] {
        guard let only else { return cases }
        return cases.filter { $0.name.contains(only) }
    }

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if Corpus.files(in: corpus).isEmpty {
            throw ValidationError("no files in \(corpus); run Benchmarks/run-all.sh to build the corpus")
        }
    }
}
