#if canImport(Glibc)
    import Glibc
#endif

/// The pydicom reference: a small Python program run in one process over
/// the corpus file list; it prints the seconds its read loop took.
enum PydicomScript {
    static let source = """
        import sys, time
        from pydicom import dcmread
        paths = open(sys.argv[1]).read().split("\\n")[:-1]
        decode = sys.argv[2] == "decode"
        count = 0
        start, cpu_start = time.perf_counter(), time.process_time()
        for path in paths:
            ds = dcmread(path, stop_before_pixels=True)
            if decode:
                for element in ds.iterall():
                    element.value
            count += len(ds)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        assert count > 0
        print(len(paths), seconds, cpu)
        """

    /// Writes the corpus paths, one a line, for the Python process to read.
    static func writeFileList(_ paths: [String], scratch: String) throws -> String {
        _ = try Subprocess.run(["mkdir", "-p", scratch])
        let listPath = "\(scratch)/files.txt"
        guard let file = fopen(listPath, "w") else { throw BenchError("cannot write \(listPath)") }
        defer { fclose(file) }
        for path in paths { fputs(path + "\n", file) }
        return listPath
    }

    static func run(python: String, list: String, decode: Bool, scratch: String) throws -> BenchCase.Sample {
        guard access(python, X_OK) == 0 else {
            throw BenchError("no \(python); run Benchmarks/run-all.sh to make the pydicom venv")
        }
        let output = "\(scratch)/pydicom.out"
        let outcome = try Subprocess.run([python, "-c", source, list, decode ? "decode" : "lazy"], stdoutPath: output)
        guard outcome.exitStatus == 0 else { throw BenchError("pydicom run exited with \(outcome.exitStatus)") }
        guard let file = fopen(output, "r") else { throw BenchError("no pydicom output") }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, 256, file) != nil else { throw BenchError("empty pydicom output") }
        let fields = String(cBuffer: buffer).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 3, let files = Int(fields[0]), let seconds = Double(fields[1]),
            let cpu = Double(fields[2])
        else {
            throw BenchError("unexpected pydicom output: \(String(cBuffer: buffer))")
        }
        return BenchCase.Sample(files: files, seconds: seconds, cpuSeconds: cpu, peakRSSKiB: outcome.peakRSSKiB)
    }
}
