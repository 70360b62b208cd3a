#if canImport(Glibc)
    import Glibc
#endif

/// Runs a reference tool as a child process (found on PATH) and measures
/// it: wall time from spawn to exit, and its peak resident set size.
enum Subprocess {
    struct Outcome {
        let exitStatus: Int32
        let seconds: Double
        /// User + system CPU time of the child.
        let cpuSeconds: Double
        let peakRSSKiB: Int
    }

    /// Runs `arguments` (the first is the program) with standard output sent
    /// to `stdoutPath` (default /dev/null) and standard error to /dev/null.
    /// The child inherits this process's CPU affinity.
    static func run(_ arguments: [String], stdoutPath: String = "/dev/null") throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait for \(arguments[0]) failed") }
        }
        let elapsed = ContinuousClock.now - start
        let exited = status & 0x7f == 0
        return Outcome(
            exitStatus: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
            seconds: elapsed.seconds,
            cpuSeconds: Machine.seconds(usage.ru_utime) + Machine.seconds(usage.ru_stime),
            peakRSSKiB: Int(usage.ru_maxrss)
        )
    }

    /// True when `program` is an executable on PATH (or a path to one).
    static func exists(_ program: String) -> Bool {
        if program.contains("/") { return access(program, X_OK) == 0 }
        guard let path = getenv("PATH") else { return false }
        return String(cString: path).split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
