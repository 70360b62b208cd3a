import Foundation
import GRDB

/// One invocation of `bodypart clean`, `proxy` or `audit revert`: what ran, with
/// which policy and model, on which host, and how it ended.
///
/// The identity fields live in the hash-chained `runs` table. `status`,
/// `finishedAt` and `countsJSON` are the newest row of the hash-chained
/// `run_events` table for this run (every status change appends one), so a run's
/// history stays append-only too.
public struct RunRecord: Codable, Sendable, Hashable, FetchableRecord {
    /// Row id, assigned by `AuditStore.startRun`.
    public var id: Int64?
    /// Identifies the job across restarts (same inputs, outputs, policy): a resume looks it up.
    public var jobKey: String
    /// The command line that started the run.
    public var command: String
    /// `dry-run`, `out`, `in-place`, `proxy` or `revert` (stored as its text).
    public var mode: RunMode
    /// SHA-256 of the policy file in force.
    public var policyHash: String
    /// Identifier of the model that made the predictions.
    public var modelID: String
    /// Host name of the machine that ran it.
    public var host: String
    /// When the run started.
    public var startedAt: Date
    /// When the run last reached `done`, `interrupted` or `failed`; nil while running.
    public var finishedAt: Date?
    /// `running`, `done`, `interrupted` or `failed` (stored as its text).
    public var status: RunStatus
    /// Counts of the run's outcome as a JSON object (`{"written":12,...}`), sorted keys.
    public var countsJSON: String
    /// Hash of the previous `runs` row (set by the store).
    public internal(set) var prevHash: String?
    /// This row's hash in the `runs` chain (set by the store).
    public internal(set) var hash: String?

    /// A run to start; `status` is normally `running`.
    public init(id: Int64? = nil, jobKey: String, command: String, mode: RunMode, policyHash: String, modelID: String,
                host: String, startedAt: Date = Date(), finishedAt: Date? = nil, status: RunStatus = .running,
                countsJSON: String = "{}") {
        self.id = id
        self.jobKey = jobKey
        self.command = command
        self.mode = mode
        self.policyHash = policyHash
        self.modelID = modelID
        self.host = host
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.countsJSON = countsJSON
    }

    /// The run statuses as text.
    public static let statuses = RunStatus.allCases.map(\.rawValue)
    /// The allowed values of `mode`.
    public static let modes = RunMode.allCases.map(\.rawValue)

    /// `countsJSON` decoded (empty when it is not a JSON object of integers).
    public var counts: [String: Int] {
        (try? JSONDecoder().decode([String: Int].self, from: Data(countsJSON.utf8))) ?? [:]
    }

    /// Counts as JSON text with sorted keys.
    static func countsText(_ counts: [String: Int]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(counts)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The query that assembles runs from `runs` and their newest `run_events` row.
    static let selectSQL = """
        SELECT r.id, r.jobKey, r.command, r.mode, r.policyHash, r.modelID, r.host, r.startedAt,
               r.prevHash, r.hash, e.status, e.countsJSON,
               CASE WHEN e.status = 'running' THEN NULL ELSE e.at END AS finishedAt
        FROM runs r
        JOIN run_events e ON e.id = (SELECT MAX(id) FROM run_events WHERE runID = r.id)
        """
}

/// The persisted identity of a run: a row of the hash-chained `runs` table.
struct RunRow: ChainedRecord {
    static let databaseTableName = "runs"
    var id: Int64?
    var jobKey: String
    var command: String
    var mode: RunMode
    var policyHash: String
    var modelID: String
    var host: String
    var startedAt: Date
    var prevHash: String?
    var hash: String?

    init(_ run: RunRecord) {
        (jobKey, command, mode, policyHash, modelID, host, startedAt) =
            (run.jobKey, run.command, run.mode, run.policyHash, run.modelID, run.host, run.startedAt)
    }
}

/// A status change of a run: a row of the hash-chained `run_events` table.
struct RunEvent: ChainedRecord {
    static let databaseTableName = "run_events"
    var id: Int64?
    var runID: Int64
    var status: RunStatus
    var at: Date
    var countsJSON: String
    var prevHash: String?
    var hash: String?
}
