/// The outcome of `AuditStore.verify()`.
public struct VerifyResult: Sendable, Hashable {
    /// Where a hash chain breaks.
    public struct Break: Sendable, Hashable, CustomStringConvertible {
        /// The table (`runs`, `run_events`, `decisions`, `changes`, `errors`).
        public var table: String
        /// The id of the first row that does not verify.
        public var id: Int64
        /// What is wrong with it.
        public var reason: String

        /// `table row id: reason`.
        public var description: String { "\(table) row \(id): \(reason)" }
    }

    /// True when every chain verifies.
    public var ok: Bool { firstBreak == nil }
    /// Rows whose hash was recomputed.
    public var rowsChecked: Int
    /// The first break found (tables walked in a fixed order, rows in id order), or nil.
    public var firstBreak: Break?
    /// The last hash of each table: record it elsewhere to detect a later truncation of the tail.
    public var heads: [String: String]
    /// The anchor of the log as it is now (print it, keep it outside the file).
    public var anchor: AuditAnchor?
    /// With an expected anchor: why the log does not contain it (nil when it does).
    public var anchorMismatch: String?
}
