import GRDB

/// A row of an append-only, hash-chained audit table.
///
/// Rows get consecutive ids 1, 2, 3... per table. Each row's `hash` is
/// SHA-256 (hex) of the previous row's `hash` (64 zeros for the first row)
/// followed by the row's canonical serialization (see `HashChain.canonical`).
protocol ChainedRecord: Codable, FetchableRecord, PersistableRecord {
    /// Row id (nil until stored).
    var id: Int64? { get set }
    /// Hash of the previous row of the same table.
    var prevHash: String? { get set }
    /// This row's hash.
    var hash: String? { get set }
    /// The row's columns as GRDB's `Codable` encoding stores them (NULLs
    /// included), sorted by name: what is hashed and inserted. The default is
    /// that encoding; a record written in bulk may spell it out (ChangeRecord)
    /// as long as the values are the same.
    func chainedValues() throws -> [(String, DatabaseValue)]
}

extension ChainedRecord {
    func chainedValues() throws -> [(String, DatabaseValue)] {
        try databaseDictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// The canonical serialization and hashing shared by writes and `verify()`.
///
/// The serialization is built from SQLite values (exactly what is stored and
/// read back, dates included), so a row hashes the same before insert and when
/// read again. Columns are taken in name order, NULL columns and the two hash
/// columns are left out, and every value is tagged and length-prefixed, so no
/// two different rows serialize alike. A later migration may add nullable
/// columns without changing the hash of older rows.
enum HashChain {
    /// The `prevHash` of the first row of a table.
    static let genesis = String(repeating: "0", count: 64)

    /// The hash-chained tables, in the order `verify()` walks them.
    static let tables = ["runs", "run_events", "decisions", "changes", "errors", "reviews", "routings"]

    /// The bytes a row's hash covers (besides the previous hash).
    static func canonical(_ values: [(String, DatabaseValue)]) -> [UInt8] {
        // Written straight into one buffer: every row of the audit goes
        // through here (no intermediate arrays or number strings per value).
        var out: [UInt8] = []
        out.reserveCapacity(512)
        for (name, value) in values.sorted(by: { $0.0 < $1.0 }) where name != "prevHash" && name != "hash" {
            let kind: UInt8
            switch value.storage {
            case .null: continue
            case .int64(let i):
                kind = UInt8(ascii: "I")
                let digits = decimal(i)
                header(&out, name, kind, digits.count)
                out.append(contentsOf: digits)
            case .double(let d):
                kind = UInt8(ascii: "R")
                let payload = String(d.bitPattern, radix: 16).utf8
                header(&out, name, kind, payload.count)
                out.append(contentsOf: payload)
            case .string(let s):
                kind = UInt8(ascii: "T")
                header(&out, name, kind, s.utf8.count)
                out.append(contentsOf: s.utf8)
            case .blob(let b):
                kind = UInt8(ascii: "B")
                header(&out, name, kind, b.count)
                out.append(contentsOf: b)
            }
            out.append(0x1E)
        }
        return out
    }

    /// `name` 0x1F `kind` `length` ":" of one canonical value.
    private static func header(_ out: inout [UInt8], _ name: String, _ kind: UInt8, _ length: Int) {
        out.append(contentsOf: name.utf8)
        out.append(0x1F)
        out.append(kind)
        out.append(contentsOf: decimal(Int64(length)))
        out.append(0x3A)
    }

    /// The decimal digits of `value` as `String(value)` spells them.
    private static func decimal(_ value: Int64) -> [UInt8] {
        if value == 0 { return [UInt8(ascii: "0")] }
        if value == .min { return Array(String(value).utf8) }
        var digits: [UInt8] = []
        var rest = value.magnitude
        while rest > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        if value < 0 { digits.append(UInt8(ascii: "-")) }
        digits.reverse()
        return digits
    }

    /// SHA-256 hex of `prevHash` followed by the canonical bytes.
    static func hash(prevHash: String, values: [(String, DatabaseValue)]) -> String {
        var digest = SHA256()
        digest.update(prevHash)
        digest.update(canonical(values))
        return digest.hexDigest()
    }

    /// The id and hash of the last row of `table`, or (0, genesis).
    static func head(_ db: Database, table: String) throws -> (id: Int64, hash: String) {
        let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM \"\(table)\" ORDER BY id DESC LIMIT 1")
        guard let row else { return (0, genesis) }
        return (row["id"], row["hash"])
    }

    /// Inserts records at the end of their table's chain, setting id, prevHash and hash.
    @discardableResult
    static func append<Record: ChainedRecord>(_ records: [Record], _ db: Database) throws -> [Record] {
        guard !records.isEmpty else { return [] }
        var (lastID, lastHash) = try head(db, table: Record.databaseTableName)
        var stored: [Record] = []
        stored.reserveCapacity(records.count)
        // The statement of the previous row, reused while the columns are the same.
        var statement: (columns: [String], statement: Statement)?
        for var record in records {
            lastID += 1
            record.id = lastID
            record.prevHash = lastHash
            record.hash = nil
            // Encoded once: the same values are hashed and inserted.
            var values = try record.chainedValues()
            let hash = hash(prevHash: lastHash, values: values)
            values.removeAll { $0.0 == "hash" }
            values.append(("hash", hash.databaseValue))
            let columns = values.map(\.0)
            if statement?.columns != columns {
                statement = (columns, try insertStatement(columns, into: Record.databaseTableName, db))
            }
            // Handed over as optional existentials: StatementArguments' init for
            // a sequence of concrete values maps through a key path, which is
            // not specialised across modules and cost more than the insert.
            let arguments: [(any DatabaseValueConvertible)?] = values.map { $0.1 }
            try statement!.statement.execute(arguments: StatementArguments(arguments))
            record.hash = hash
            lastHash = hash
            stored.append(record)
        }
        return stored
    }

    /// The cached INSERT of `columns` into `table`.
    private static func insertStatement(_ columns: [String], into table: String, _ db: Database) throws -> Statement {
        let sql = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return try db.cachedStatement(sql: sql)
    }
}
