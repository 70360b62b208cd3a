import Foundation
import GRDB

/// What the proxy's router did (a row of the hash-chained `routings` table,
/// schema `v4`): where a series was routed and why, and each step of
/// fetching a routed study's priors (query, match, move, failure).
public struct RoutingRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, ChainedRecord {
    /// The table name.
    public static let databaseTableName = "routings"
    /// The kinds of rows.
    public static let kinds = ["route", "prior-query", "prior-match", "prior-skip", "prior-move", "prior-failed"]

    /// Row id, assigned by the store.
    public var id: Int64?
    /// The run (the proxy's) that routed.
    public var runID: Int64
    /// `route`; `prior-query` (a C-FIND answered), `prior-match` (a prior
    /// whose region matches), `prior-skip` (one that does not, or is beyond
    /// the limits, or already sent), `prior-move` (moved), `prior-failed`.
    public var kind: String
    /// The new study the row is about.
    public var studyInstanceUID: String
    /// The new series (routing rows; the series that triggered a prior fetch).
    public var seriesInstanceUID: String?
    /// The rule (`default` for the default route).
    public var rule: String
    /// The destination (`AE@host:port`): one row per destination a series goes to.
    public var destination: String?
    /// The prior study a prior row is about.
    public var priorStudyInstanceUID: String?
    /// A status where there is one (a C-FIND/C-MOVE status, `success`, `failed`).
    public var status: String?
    /// One line a person can read: why it matched, what was asked, the error.
    public var detail: String
    /// When (stored to the millisecond, UTC).
    public var createdAt: Date
    /// Hash of the previous `routings` row (set by the store).
    public internal(set) var prevHash: String?
    /// This row's hash (set by the store).
    public internal(set) var hash: String?

    /// A row to append; `id` and the hashes are set by the store.
    public init(runID: Int64, kind: String, studyInstanceUID: String, seriesInstanceUID: String? = nil, rule: String,
                destination: String? = nil, priorStudyInstanceUID: String? = nil, status: String? = nil, detail: String,
                createdAt: Date = Date()) {
        self.runID = runID
        self.kind = kind
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.rule = rule
        self.destination = destination
        self.priorStudyInstanceUID = priorStudyInstanceUID
        self.status = status
        self.detail = detail
        self.createdAt = createdAt
    }
}
