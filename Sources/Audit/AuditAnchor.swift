import Foundation

/// A fingerprint of the whole audit log at one moment, to keep outside the
/// file (a ticket, the system log): the number of rows of each hash-chained
/// table and one SHA-256 over their head hashes, written
/// `ROWS.ROWS.ROWS.ROWS.ROWS.ROWS.ROWS-HEX` (tables in `HashChain.tables` order:
/// runs, run_events, decisions, changes, errors, reviews, routings). An anchor
/// taken before schema v4 names the first six only and is checked over those
/// six (a table added later is appended to the order, never inserted).
///
/// `verify --expect` recomputes it from the rows as they are now: any row at
/// or before the anchor that was edited (even with the rest of the chain
/// re-hashed), inserted or deleted, and any row cut from the end, gives
/// another value. Rows appended after the anchor do not matter, so an anchor
/// stays checkable after later runs.
public struct AuditAnchor: Sendable, Hashable, CustomStringConvertible {
    /// Rows per table, in `HashChain.tables` order.
    public var rows: [Int64]
    /// SHA-256 (hex) over `table:rows:head` of every table.
    public var digest: String

    /// Tables an anchor of schema v2/v3 names (before `routings`).
    static let oldestTables = 6

    /// The anchor of these heads (`heads[table]` = hash of the row `rows[table]`) over the first
    /// `tables` tables of `HashChain.tables` (all of them, unless checking an older anchor).
    init(rows: [String: Int64], heads: [String: String], tables: Int = HashChain.tables.count) {
        let names = HashChain.tables.prefix(tables)
        self.rows = names.map { rows[$0] ?? 0 }
        let text = names.map { "\($0):\(rows[$0] ?? 0):\(heads[$0] ?? HashChain.genesis)" }.joined(separator: "\n")
        self.digest = SHA256.hex(text)
    }

    /// Parses the printed form; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let counts = parts[0].split(separator: ".", omittingEmptySubsequences: false).map { Int64($0) }
        guard (Self.oldestTables...HashChain.tables.count).contains(counts.count), counts.allSatisfy({ ($0 ?? -1) >= 0 }),
              parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit)
        else { return nil }
        rows = counts.map { $0! }
        digest = parts[1].lowercased()
    }

    /// Rows of `table` when the anchor was taken.
    public func rows(of table: String) -> Int64 {
        HashChain.tables.firstIndex(of: table).flatMap { $0 < rows.count ? rows[$0] : nil } ?? 0
    }

    public var description: String { rows.map(String.init).joined(separator: ".") + "-" + digest }
}
