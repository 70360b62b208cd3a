import Audit
import Cleanup
import DicomCore
import DicomIO
import DicomNet
import Foundation
import Logging

/// Sends one destination's queue, in arrival order within each series, over
/// an association kept open between objects. Each object is edited on the
/// way out (the spool holds the original): the series decision comes from
/// `SeriesDecisions`, the edits from `Enricher.plan`. A refused object is
/// retried with capped exponential backoff, later instances of its series
/// waiting behind it, and quarantined after the configured attempts or age.
/// An unreachable destination holds the whole queue (its objects age, they
/// do not use up attempts).
final class Forwarder: @unchecked Sendable {
    let destination: Destination
    /// This forwarder's association among the destination's `lanes`; it sends
    /// the series whose UID hashes to it.
    let lane: Int
    let lanes: Int
    let context: ForwardingContext
    let scu: StorageSCU
    let logger: Logger

    let condition = NSCondition()
    var queue: [SpoolEntry] = []
    var known = Set<UInt64>()
    var retries: [UInt64: (attempts: Int, next: Date)] = [:]
    var blockedUntil = Date.distantPast
    var destinationFailures = 0
    var stopping = false
    var finished = false
    var lastScan = Date()
    var lastSend = Date()

    init(destination: Destination, lane: Int = 0, of lanes: Int = 1, context: ForwardingContext) {
        self.destination = destination
        self.lane = lane
        self.lanes = lanes
        self.context = context
        let c = context.configuration
        scu = StorageSCU(peer: destination.peer, settings: c.associationSettings(for: destination))
        var logger = context.logger
        logger[metadataKey: "destination"] = "\(destination)"
        if lanes > 1 { logger[metadataKey: "lane"] = "\(lane + 1)/\(lanes)" }
        self.logger = logger
    }

    /// True when `entry`'s series goes over this forwarder's association
    /// (FNV-1a of the series UID: the same lane across restarts).
    func takes(_ entry: SpoolEntry) -> Bool {
        guard lanes > 1 else { return true }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in entry.seriesInstanceUID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(lanes)) == lane
    }

    /// This lane's share of what the spool holds for the destination.
    private func pendingInSpool() -> [SpoolEntry] { context.spool.pending(for: destination).filter(takes) }

    /// Starts the thread with what the spool already holds for this destination.
    func start() {
        merge(pendingInSpool())
        let thread = Thread { [self] in run() }
        thread.name = "bodypart-forward"
        thread.start()
    }

    /// Adds a newly accepted object.
    func enqueue(_ entry: SpoolEntry) {
        condition.lock()
        if known.insert(entry.sequence).inserted {
            if let last = queue.last, last.sequence > entry.sequence {
                queue.insert(entry, at: queue.firstIndex { $0.sequence > entry.sequence } ?? queue.endIndex)
            } else {
                queue.append(entry)
            }
        }
        condition.signal()
        condition.unlock()
    }

    /// Finishes the object being sent, then stops (the rest stays spooled).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// Objects waiting and the age of the oldest, in seconds.
    var depth: (count: Int, oldestAge: Double) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count, queue.map(\.arrival).min().map { Date().timeIntervalSince($0) } ?? 0)
    }

    /// Adds spooled entries not known yet (start, and quarantined objects re-queued by `proxy retry`).
    func merge(_ entries: [SpoolEntry]) {
        condition.lock()
        var added = false
        for entry in entries where known.insert(entry.sequence).inserted {
            queue.append(entry)
            added = true
        }
        if added { queue.sort() }
        condition.unlock()
    }

    private func run() {
        while let entry = next() {
            process(entry)
        }
        scu.release()
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next entry that may go now, waiting as long as needed; nil when stopping.
    private func next() -> SpoolEntry? {
        while true {
            if Date().timeIntervalSince(lastScan) > 5 {
                lastScan = Date()
                merge(pendingInSpool())
            }
            condition.lock()
            if stopping { condition.unlock(); return nil }
            let now = Date()
            var wake = now.addingTimeInterval(1)
            if now < blockedUntil {
                wake = min(wake, blockedUntil)
            } else {
                var blockedSeries = Set<String>()
                for entry in queue where !blockedSeries.contains(entry.seriesInstanceUID) {
                    if let retry = retries[entry.sequence], retry.next > now {
                        blockedSeries.insert(entry.seriesInstanceUID)
                        wake = min(wake, retry.next)
                        continue
                    }
                    condition.unlock()
                    return entry
                }
            }
            let idle = scu.isConnected && now.timeIntervalSince(lastSend) > context.configuration.idleRelease
            if !idle { _ = condition.wait(until: wake) }
            condition.unlock()
            if idle { scu.release() }
        }
    }
}
