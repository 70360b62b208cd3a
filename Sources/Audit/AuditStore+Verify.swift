import GRDB

extension AuditStore {
    /// Walks every hash chain in id order, recomputing each row's hash, and
    /// reports the first row (table, id) where a chain breaks: an edited row,
    /// a deleted or inserted row (id gap or `prevHash` mismatch), or a swapped hash.
    ///
    /// Works without the append-only triggers: it catches edits made by any
    /// tool, including one that dropped them. Deleting rows from the end of a
    /// table cannot be seen from inside the file; compare `heads` with a copy kept elsewhere.
    public func verify() throws(AuditError) -> VerifyResult {
        try read { db in
            var result = VerifyResult(rowsChecked: 0, firstBreak: nil, heads: [:])
            for table in HashChain.tables where try db.tableExists(table) {
                var expectedID: Int64 = 1
                var previous = HashChain.genesis
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(table)\" ORDER BY id")
                while let row = try rows.next() {
                    result.rowsChecked += 1
                    let id: Int64 = row["id"]
                    let values = Array(row.columnNames).map { ($0, row[$0] as DatabaseValue) }
                    let problem = Self.problem(row: row, values: values, expectedID: expectedID, previous: previous)
                    if let problem, result.firstBreak == nil {
                        result.firstBreak = .init(table: table, id: id, reason: problem)
                    }
                    expectedID = id + 1
                    previous = (row["hash"] as String?) ?? ""
                }
                if expectedID > 1 { result.heads[table] = previous }
            }
            return result
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
