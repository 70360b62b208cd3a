import Foundation

extension Forwarder {
    /// An object waiting for its next try after a failure.
    struct Retrying: Sendable {
        let entry: SpoolEntry
        let attempts: Int
        let next: Date
    }

    /// What this lane holds now: objects waiting, those among them waiting
    /// for a retry, and until when the whole destination is held back.
    var snapshot: (waiting: [SpoolEntry], retrying: [Retrying], blockedUntil: Date) {
        condition.lock()
        defer { condition.unlock() }
        let retrying = queue.compactMap { entry in
            retries[entry.sequence].map { Retrying(entry: entry, attempts: $0.attempts, next: $0.next) }
        }
        return (queue, retrying, blockedUntil)
    }
}
