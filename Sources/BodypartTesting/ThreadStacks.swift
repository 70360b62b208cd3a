import Foundation

/// The thread stacks a process holds, read from `/proc/PID/maps`: what tells a
/// thread that ended but was never joined nor detached (its stack stays mapped)
/// from one whose stack went back to the C library.
public enum ThreadStacks {
    /// How many stacks of the C library's default size (`ulimit -s`, with the
    /// guard page below each) `pid` has mapped now: one per running thread
    /// plus one per ended thread nobody joined nor detached (and a few that
    /// glibc keeps cached for reuse). Nil when the process is gone.
    public static func count(pid: Int32) -> Int? {
        guard let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return nil }
        let stackSize = defaultStackSize
        var count = 0
        var previous: (end: UInt64, size: UInt64, protection: Substring)?
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5 else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16)
            else { continue }
            let size = end - start
            // An anonymous read-write mapping of the stack size right above a one-page guard.
            if let previous, fields.count == 5, fields[1] == "rw-p", size == stackSize,
                previous.protection == "---p", previous.size == 4096, previous.end == start
            {
                count += 1
            }
            previous = (end, size, fields[1])
        }
        return count
    }

    /// The default stack size of a new thread: the soft stack limit (8 MiB on Debian).
    static var defaultStackSize: UInt64 {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return 8 << 20
        }
        return UInt64(limit.rlim_cur)
    }
}
