import ArgumentParser
import DicomCore
import DicomIO

/// `bodypart-bench read`: header-only reads over the corpus, warm cache, one
/// core, against a full read, dcmdump and pydicom.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Header-only read of every corpus file vs a full read, dcmdump and pydicom."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Python with pydicom installed (run-all.sh makes a venv); cases are skipped if absent.")
    var python = "/tmp/bodypart-bench/venv/bin/python"

    @Option(help: "Folder for scratch files (the file list handed to pydicom).")
    var scratch = "/tmp/bodypart-bench/scratch"

    func run() throws {
        if options.cpu >= 0 { try Machine.pin(to: options.cpu) }
        try Dcmtk.setUp(privateDictionary: nil)
        let paths = Corpus.files(in: options.corpus)
        let bytes = Corpus.warm(paths)
        let listPath = try PydicomScript.writeFileList(paths, scratch: scratch)
        print("## Header read: \(paths.count) files, \(Format.fixed(Double(bytes) / 1_048_576, 0)) MiB, warm cache")
        print("machine: \(Machine.description); CPUs allowed: \(Machine.allowedCPUs); median of \(options.runs) runs\n")

        let folder = options.corpus
        let cases = [
            BenchCase(
                name: "bodypart HeaderReader().read",
                note: "DicomIO, in process, single thread; stops before Pixel Data, values > 4 KiB left on disk, "
                    + "every element decoded to a Swift DataSet (UTF-8 text, keywords).",
                body: { try ReadCommand.inProcess(paths) { try HeaderReader().read($0).dataset.elements.count } }),
            BenchCase(
                name: "bodypart DicomObject(path:) full read",
                note: "the whole object loaded into memory (Pixel Data included), as the writer needs it; no DataSet built.",
                body: { try ReadCommand.inProcess(paths) { _ = try DicomObject(path: $0); return 1 } }),
            BenchCase(
                name: "dcmdump +sd DIR",
                note: "one process over the folder, output to /dev/null; loads and prints the whole file "
                    + "(Pixel Data shown abbreviated).",
                body: { try ReadCommand.tool(["dcmdump", "+sd", folder], files: paths.count) }),
            BenchCase(
                name: "dcmdump +sd +sb 7fe0,0010 DIR",
                note: "header only: DCMTK 3.6.7's dcmdump can stop parsing before Pixel Data (--stop-before-elem).",
                body: { try ReadCommand.tool(["dcmdump", "+sd", "+sb", "7fe0,0010", folder], files: paths.count) }),
            BenchCase(
                name: "pydicom dcmread(stop_before_pixels=True)",
                note: "one Python process; time of the read loop only (interpreter start and import excluded); "
                    + "pydicom defers value conversion until a value is used.",
                body: { try PydicomScript.run(python: python, list: listPath, decode: false, scratch: scratch) }),
            BenchCase(
                name: "pydicom, every value used",
                note: "as above, then every element's value is accessed (iterall), closer to the work bodypart does.",
                body: { try PydicomScript.run(python: python, list: listPath, decode: true, scratch: scratch) }),
        ]
        let results = BenchRunner.run(options.selected(cases), runs: options.runs) { print($0) }
        print("")
        print(ResultTable.render(results, reference: cases[0].name))
        print("")
        ReadCommand.printTargets(results)
    }

    /// Runs `read` over every path in this thread and measures it.
    static func inProcess(_ paths: [String], read: (String) throws -> Int) throws -> BenchCase.Sample {
        Machine.resetPeakRSS()
        var checksum = 0
        let cpuStart = Machine.cpuSeconds()
        let start = ContinuousClock.now
        for path in paths { checksum &+= try read(path) }
        let seconds = (ContinuousClock.now - start).seconds
        let cpu = Machine.cpuSeconds() - cpuStart
        precondition(checksum != 0, "nothing was read")
        return BenchCase.Sample(files: paths.count, seconds: seconds, cpuSeconds: cpu, peakRSSKiB: Machine.peakRSSKiB())
    }

    /// Runs a reference tool once over the corpus.
    static func tool(_ arguments: [String], files: Int) throws -> BenchCase.Sample {
        guard Subprocess.exists(arguments[0]) else { throw BenchError("\(arguments[0]) not installed (apt: dcmtk)") }
        let outcome = try Subprocess.run(arguments)
        guard outcome.exitStatus == 0 else { throw BenchError("\(arguments[0]) exited with \(outcome.exitStatus)") }
        return BenchCase.Sample(
            files: files, seconds: outcome.seconds, cpuSeconds: outcome.cpuSeconds, peakRSSKiB: outcome.peakRSSKiB)
    }

    static func printTargets(_ results: [CaseResult]) {
        func rate(_ name: String) -> Double? { results.first { $0.name == name }?.filesPerSecond }
        guard let bodypart = rate("bodypart HeaderReader().read") else { return }
        let checks: [(String, Double?, Double)] = [
            ("≥ 5,000 files/s on one core", 5000, 1),
            ("≥ 2× pydicom dcmread(stop_before_pixels=True)", rate("pydicom dcmread(stop_before_pixels=True)"), 2),
            ("≥ 1× dcmdump +sd (whole files)", rate("dcmdump +sd DIR"), 1),
            ("≥ 1× dcmdump header only (+sb 7fe0,0010)", rate("dcmdump +sd +sb 7fe0,0010 DIR"), 1),
        ]
        print("targets (bodypart HeaderReader: \(Format.fixed(bodypart, 0)) files/s):")
        for (label, reference, factor) in checks {
            guard let reference else {
                print("- \(label): not measured")
                continue
            }
            let ratio = bodypart / reference
            let met = ratio >= factor ? "met" : "NOT met"
            print("- \(label): \(met) (\(Format.fixed(ratio, 2))×)")
        }
    }
}
