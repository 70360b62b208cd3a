#if canImport(Glibc)
    import Glibc
#endif

/// Facts about and control of the machine the benchmark runs on (Linux).
enum Machine {
    /// Runs this process (and the children it starts later) on one CPU only:
    /// if it is not already confined to `cpu`, it replaces itself with
    /// `taskset -c CPU` running the same command line (glibc's
    /// `sched_setaffinity` is not visible to Swift without _GNU_SOURCE).
    static func pin(to cpu: Int) throws {
        if allowedCPUs == "\(cpu)" { return }
        var executable = [CChar](repeating: 0, count: 4096)
        guard readlink("/proc/self/exe", &executable, executable.count - 1) > 0 else {
            throw BenchError("cannot pin to CPU \(cpu): /proc/self/exe unreadable")
        }
        let arguments = ["taskset", "-c", "\(cpu)", String(cBuffer: executable)] + CommandLine.arguments.dropFirst()
        let argv = arguments.map { strdup($0) } + [nil]
        execvp("taskset", argv)
        throw BenchError("cannot pin to CPU \(cpu) with taskset: \(String(cString: strerror(errno)))")
    }

    /// The CPUs this process may run on, as /proc lists them ("0", "0-1").
    static var allowedCPUs: String {
        statusField("Cpus_allowed_list:") ?? "?"
    }

    /// Resets the peak resident set size (VmHWM) of this process, so that
    /// the next reading belongs to what runs in between. Linux 4.0 and later.
    static func resetPeakRSS() {
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return }
        _ = write(fd, "5", 1)
        close(fd)
    }

    /// Peak resident set size of this process in KiB (VmHWM), 0 if unknown.
    static func peakRSSKiB() -> Int {
        Int(statusField("VmHWM:")?.split(separator: " ").first ?? "") ?? 0
    }

    /// The value of one line of /proc/self/status, trimmed.
    private static func statusField(_ name: String) -> String? {
        guard let line = procLines("/proc/self/status").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// User + system CPU time used so far by this process (and, if asked,
    /// by its children that have been waited for).
    static func cpuSeconds(includingChildren: Bool = false) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        var total = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        if includingChildren {
            getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
            total += seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
        return total
    }

    static func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }

    /// "N CPUs, MODEL" from /proc.
    static var description: String {
        let model = procLines("/proc/cpuinfo").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last.map { $0.trimmingPrefix(" ") } ?? "unknown CPU"
        return "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs, \(model)"
    }

    private static func procLines(_ path: String) -> [String] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            lines.append(String(cBuffer: buffer).trimmingSuffixNewline)
        }
        return lines
    }
}

extension String {
    /// The text of a NUL-terminated C buffer, decoded as UTF-8.
    init(cBuffer: [CChar]) {
        self = String(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    fileprivate var trimmingSuffixNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
