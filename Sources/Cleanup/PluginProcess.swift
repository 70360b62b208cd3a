import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs an external program with a deadline and collects its output. The
/// program gets its own process group, so that on a timeout the whole group
/// (a shell script and what it started) is killed, and a grandchild that
/// keeps the output pipe open cannot hold the run up.
enum PluginProcess {
    /// What a finished program did.
    struct Output {
        var stdout: Data
        var stderr: Data
        /// Exit code, or nil when it ended by a signal.
        var exitCode: Int32?
        var signal: Int32?
    }

    /// Why a program gave no usable output.
    enum Failure: Error, CustomStringConvertible {
        case cannotStart(String)
        case timedOut(Double)
        case tooMuchOutput(Int)

        var description: String {
            switch self {
            case .cannotStart(let reason): "cannot start (\(reason))"
            case .timedOut(let seconds): "timed out after \(seconds.formatted(.number.grouping(.never))) s and was killed"
            case .tooMuchOutput(let limit): "printed more than \(limit) bytes and was killed"
            }
        }
    }

    /// Runs `executable` with `arguments` (stdin empty), killing its process
    /// group after `timeout` seconds or when it prints more than `limit` bytes.
    static func run(_ executable: String, _ arguments: [String], timeout: Double, limit: Int = 4 << 20) throws(Failure) -> Output {
        guard access(executable, X_OK) == 0 else { throw .cannotStart("\(executable): \(String(cString: strerror(errno)))") }
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw .cannotStart("pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        guard spawned == 0 else { throw .cannotStart("\(executable): \(String(cString: strerror(spawned)))") }

        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var out = Data(), err = Data()
        var open: [Int32] = [outPipe[0], errPipe[0]]
        var failure: Failure?
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let left = deadline - ContinuousClock.now
            if left <= .zero { failure = .timedOut(timeout); break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ms = Int32(min(1000, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            if poll(&fds, nfds_t(fds.count), ms) < 0 && errno != EINTR { break }
            for f in fds where f.revents != 0 {
                let n = read(f.fd, &buffer, buffer.count)
                if n <= 0 { open.removeAll { $0 == f.fd }; continue }
                if f.fd == outPipe[0] { out.append(buffer, count: n) } else if err.count < 65536 { err.append(buffer, count: n) }
                if out.count > limit { failure = .tooMuchOutput(limit) }
            }
            if failure != nil { break }
        }
        // Output closed: give the program until the deadline to exit.
        var status: Int32 = 0
        while failure == nil {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            if ContinuousClock.now >= deadline { failure = .timedOut(timeout); break }
            usleep(2000)
        }
        if let failure {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            throw failure
        }
        let signal = status & 0x7F
        return Output(stdout: out, stderr: err, exitCode: signal == 0 ? (status >> 8) & 0xFF : nil,
                      signal: signal == 0 ? nil : signal)
    }
}
