import Audit
import Foundation
import Logging

/// The proxy's one writer to the audit store: rows from every thread are
/// queued and appended in batches (one transaction each, at most every
/// `interval`), then each batch's completions run. The forwarder removes a
/// spool entry only in such a completion, so a crash can never leave a
/// delivered object without its audit rows (it is delivered again instead).
final class AuditWriter: @unchecked Sendable {
    /// Rows and what to do once they are stored.
    struct Batch {
        var decisions: [DecisionRecord] = []
        var changes: [ChangeRecord] = []
        var errors: [ErrorRecord] = []
        var progress: [FileProgress] = []
        var reviews: [ReviewRecord] = []
        var routings: [RoutingRecord] = []
        var completions: [@Sendable () -> Void] = []
        var isEmpty: Bool {
            decisions.isEmpty && changes.isEmpty && errors.isEmpty && progress.isEmpty && reviews.isEmpty && routings.isEmpty
                && completions.isEmpty
        }
    }

    let store: AuditStore
    let runID: Int64
    private let logger: Logger
    private let interval: Double
    private let condition = NSCondition()
    private var pending = Batch()
    private var stopping = false
    private var thread: Thread?
    private var finished = false

    init(store: AuditStore, runID: Int64, logger: Logger, interval: Double = 0.2) {
        self.store = store
        self.runID = runID
        self.logger = logger
        self.interval = interval
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "bodypart-audit"
        self.thread = thread
        thread.start()
    }

    /// Queues rows (`reviews` open review-queue entries); `completion` runs
    /// after they are stored (or failed to be: logged).
    func enqueue(decisions: [DecisionRecord] = [], changes: [ChangeRecord] = [], errors: [ErrorRecord] = [],
                 progress: [FileProgress] = [], reviews: [ReviewRecord] = [], routings: [RoutingRecord] = [],
                 completion: (@Sendable () -> Void)? = nil) {
        condition.lock()
        pending.decisions += decisions
        pending.changes += changes
        pending.errors += errors
        pending.progress += progress
        pending.reviews += reviews
        pending.routings += routings
        if let completion { pending.completions.append(completion) }
        if pending.changes.count + pending.progress.count > 500 { condition.signal() }
        condition.unlock()
    }

    /// Writes what is queued and stops the thread (waits for it).
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            let batch = pending
            pending = Batch()
            let last = stopping
            condition.unlock()
            if !batch.isEmpty { write(batch) }
            if last {
                condition.lock()
                let rest = pending
                pending = Batch()
                condition.unlock()
                if !rest.isEmpty { write(rest) }
                break
            }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func write(_ batch: Batch) {
        do {
            try store.append(decisions: batch.decisions, changes: batch.changes, errors: batch.errors, progress: batch.progress,
                             reviews: batch.reviews, routings: batch.routings)
            for completion in batch.completions { completion() }
        } catch {
            // Entries stay in the spool: delivered again after a restart, audited then.
            logger.error("audit write failed; delivered objects stay in the spool", metadata: ["error": "\(error)"])
        }
    }
}
