import DicomIO
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Group commit of the spool: received files become durable and queued
/// together, so that objects arriving at the same time (several
/// associations, or one stream while a flush runs) share one device flush.
///
/// One thread makes rounds. Each round is one `syncfs` of the spool's file
/// system (or, for a round of one or two files, their own `fsync`s), which
/// makes two things durable at once: the *data* of the files
/// that arrived since the last round, and the *queue links* made at the end
/// of the last round. So an object needs two rounds, in this order: its bytes
/// are on disk before any queue name points at them (a power loss can leave
/// an object unqueued, never a queue entry with missing bytes), and its
/// links are on disk before its sender hears Success. A caller waits for its
/// object's second round. With one object at a time that is the two flushes
/// of an fsync of the file and of the folder; with several, every round
/// serves all that arrived during the previous one.
final class SpoolCommitter: Sendable {
    /// One object waiting: its received file, the queue links to make, the
    /// outcome handed back.
    private final class Waiter: @unchecked Sendable {
        let path: String
        let targets: [String]
        let done = DispatchSemaphore(value: 0)
        var error: ProxyError?
        init(path: String, targets: [String]) {
            self.path = path
            self.targets = targets
        }
    }

    private struct State {
        var pending: [Waiter] = []
        var stopping = false
        var rounds = 0
        var objects = 0
        var flushNanoseconds: UInt64 = 0
    }

    private let root: String
    private let rootFD: Int32
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(root: String) throws(ProxyError) {
        self.root = root
        rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw .spool(path: root, detail: "cannot open: \(Spool.errnoText())") }
        let thread = Thread { [self] in run() }
        thread.name = "spool-commit"
        thread.start()
    }

    deinit { close(rootFD) }

    /// Makes the fully written file at `path` durable, then links it to each
    /// of `targets` and makes those links durable; returns once both are on
    /// disk. On failure nothing is linked (and the error says why).
    func commit(path: String, targets: [String]) throws(ProxyError) {
        let waiter = Waiter(path: path, targets: targets)
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.pending.append(waiter)
            return true
        }
        guard accepted else { throw .spool(path: path, detail: "the proxy is stopping") }
        wake.signal()
        waiter.done.wait()
        if let error = waiter.error { throw error }
    }

    /// Objects committed, flushes made and seconds spent flushing so far (the group size is objects / rounds).
    var counts: (objects: Int, rounds: Int, flushSeconds: Double) {
        state.withLock { ($0.objects, $0.rounds, Double($0.flushNanoseconds) / 1e9) }
    }

    /// Finishes the objects waiting, then ends the thread.
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
        finished.wait()
    }

    private func run() {
        var linked: [Waiter] = []  // data durable, links made, links not durable yet
        while true {
            if linked.isEmpty { wake.wait() }
            let (fresh, stopping) = state.withLock { state -> ([Waiter], Bool) in
                defer { state.pending = [] }
                return (state.pending, state.stopping)
            }
            if fresh.isEmpty && linked.isEmpty {
                if stopping { break }
                continue
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let flushed = flush(data: fresh, links: linked)
            let spent = DispatchTime.now().uptimeNanoseconds - started
            let reason = flushed ? "" : "cannot flush the spool: \(flushError.withLock { $0 })"
            for waiter in linked {
                if !flushed {
                    for target in waiter.targets { unlink(target) }
                    waiter.error = .spool(path: root, detail: reason)
                }
                waiter.done.signal()
            }
            state.withLock { state in
                state.rounds += 1
                state.objects += flushed ? linked.count : 0
                state.flushNanoseconds += spent
            }
            linked = []
            for waiter in fresh {
                if !flushed {
                    waiter.error = .spool(path: waiter.path, detail: reason)
                    waiter.done.signal()
                } else if let error = link(waiter) {
                    waiter.error = error
                    waiter.done.signal()
                } else {
                    linked.append(waiter)
                }
            }
        }
        finished.signal()
    }

    private let flushError = Mutex("")

    /// Makes durable the data of `data` and the queue links of `links`. A round of one or two
    /// files is flushed file by file (`fsync` of each file and queue folder: nothing else on the
    /// file system is waited for); a larger round with one `syncfs` (one device flush for all).
    private func flush(data: [Waiter], links: [Waiter]) -> Bool {
        let folders = Set(links.flatMap { $0.targets.map { ($0 as NSString).deletingLastPathComponent } })
        guard data.count + folders.count > 2 else {
            for path in data.map(\.path) + folders.sorted() {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                let synced = fd >= 0 && fsync(fd) == 0
                let reason = "\(path): \(Spool.errnoText())"
                if fd >= 0 { close(fd) }
                guard synced else { flushError.withLock { $0 = reason }; return false }
            }
            return true
        }
        do { try AtomicWriter.syncFileSystem(of: rootFD, path: root) } catch {
            flushError.withLock { $0 = "\(error)" }
            return false
        }
        return true
    }

    /// Links the waiter's file into every queue; on failure removes the links made.
    private func link(_ waiter: Waiter) -> ProxyError? {
        var made: [String] = []
        for target in waiter.targets {
            guard Glibc.link(waiter.path, target) == 0 else {
                let reason = Spool.errnoText()
                for file in made { unlink(file) }
                return .spool(path: target, detail: "cannot queue: \(reason)")
            }
            made.append(target)
        }
        unlink(waiter.path)  // the incoming name; the queues hold the object now
        return nil
    }
}
