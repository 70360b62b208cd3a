import GRDB

extension AuditStore {
    /// Walks every hash chain in id order, recomputing each row's hash, and
    /// reports the first row (table, id) where a chain breaks: an edited row,
    /// a deleted or inserted row (id gap or `prevHash` mismatch), or a swapped hash.
    ///
    /// Works without the append-only triggers: it catches edits made by any
    /// tool, including one that dropped them. Deleting rows from the end of a
    /// table cannot be seen from inside the file; compare `heads` with a copy kept elsewhere.
    ///
    /// With `expected` (an anchor printed by an earlier run or verify), also
    /// checks that the log still holds exactly the rows it covered: the head
    /// of each table at the anchor's row count is recomputed from the rows.
    public func verify(expected: AuditAnchor? = nil) throws(AuditError) -> VerifyResult {
        try read { db in
            var result = VerifyResult(rowsChecked: 0, firstBreak: nil, heads: [:])
            var counts: [String: Int64] = [:]
            var headsAtAnchor: [String: String] = [:]
            for table in HashChain.tables where try db.tableExists(table) {
                var expectedID: Int64 = 1
                var previous = HashChain.genesis
                let anchorRows = expected?.rows(of: table) ?? -1
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(table)\" ORDER BY id")
                while let row = try rows.next() {
                    result.rowsChecked += 1
                    let id: Int64 = row["id"]
                    if id == anchorRows { headsAtAnchor[table] = row["hash"] }
                    let values = Array(row.columnNames).map { ($0, row[$0] as DatabaseValue) }
                    let problem = Self.problem(row: row, values: values, expectedID: expectedID, previous: previous)
                    if let problem, result.firstBreak == nil {
                        result.firstBreak = .init(table: table, id: id, reason: problem)
                    }
                    expectedID = id + 1
                    previous = (row["hash"] as String?) ?? ""
                }
                if expectedID > 1 { result.heads[table] = previous }
                counts[table] = expectedID - 1
            }
            result.anchor = AuditAnchor(rows: counts, heads: result.heads)
            if let expected {
                var rows: [String: Int64] = [:]
                for table in HashChain.tables {
                    let wanted = expected.rows(of: table)
                    if (counts[table] ?? 0) < wanted {
                        result.anchorMismatch = "\(table) has \(counts[table] ?? 0) rows, the anchor covers \(wanted): rows were cut"
                        return result
                    }
                    rows[table] = wanted
                }
                if AuditAnchor(rows: rows, heads: headsAtAnchor, tables: expected.rows.count).digest != expected.digest {
                    result.anchorMismatch = "the rows the anchor covers no longer hash to it: rows were edited, inserted or deleted and the chain re-hashed"
                }
            }
            return result
        }
    }

    /// The anchor of the log as it is now, from each table's last row (cheap:
    /// no row is re-hashed; `verify` checks the chains).
    public func anchor() throws(AuditError) -> AuditAnchor {
        try read { db in
            var rows: [String: Int64] = [:]
            var heads: [String: String] = [:]
            for table in HashChain.tables where try db.tableExists(table) {
                if let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM \"\(table)\" ORDER BY id DESC LIMIT 1") {
                    rows[table] = row["id"]
                    heads[table] = row["hash"]
                }
            }
            return AuditAnchor(rows: rows, heads: heads)
        }
    }

    private static func problem(row: Row, values: [(String, DatabaseValue)], expectedID: Int64, previous: String) -> String? {
        let id: Int64 = row["id"]
        if id != expectedID {
            return "id \(id) follows \(expectedID - 1): row \(expectedID) is missing"
        }
        guard let prevHash: String = row["prevHash"], let hash: String = row["hash"] else {
            return "no hash stored"
        }
        if prevHash != previous { return "prevHash does not match the hash of the row before" }
        if HashChain.hash(prevHash: prevHash, values: values) != hash {
            return "contents do not match its hash (edited)"
        }
        return nil
    }
}
