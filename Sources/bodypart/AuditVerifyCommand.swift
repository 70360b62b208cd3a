import ArgumentParser
import Audit

/// `bodypart audit verify [--expect ANCHOR]`: recompute every hash chain;
/// exit 1 naming the first broken row, or when the log no longer holds an anchor.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chains; exit 1 naming the table and row where one breaks.",
        discussion: """
            Without --expect, verify catches a row edited, inserted or deleted by any tool (even one \
            that dropped the append-only triggers), as long as the rest of the chain was left as it \
            was. It cannot catch, from inside the file: rows cut from the end of a table, or a row \
            edited and every later row re-hashed (the hashing is documented, so anyone who can write \
            the file can do it), or a file replaced by another consistent one.

            With --expect ANCHOR it catches those too, for every row the anchor covers: ANCHOR is the \
            `audit head` line every clean run prints at its end (also sent to the system log and shown \
            in the HTML report) and that verify prints; keep it outside the file (a ticket, the \
            journal). Rows appended after the anchor do not break it. What no anchor can catch: \
            changes to rows written after the last anchor you kept.
            """
    )

    @OptionGroup var options: AuditOptions

    @Option(help: ArgumentHelp("An anchor kept from an earlier run or verify (ROWS.ROWS...-SHA256): exit 1 unless the log still holds exactly the rows it covers.",
                               valueName: "anchor"))
    var expect: String?

    func validate() throws {
        if let expect, AuditAnchor(expect) == nil {
            throw ValidationError("--expect takes an anchor as printed by `bodypart clean` or `audit verify` (6 row counts and a SHA-256: 3.6.40.120.2.0-9f2c…)")
        }
    }

    func run() throws {
        let expected = expect.flatMap(AuditAnchor.init)
        let result = try AuditCommand.withStore(options) { store throws(AuditError) in try store.verify(expected: expected) }
        if let broken = result.firstBreak {
            Console.error("\(options.audit): hash chain broken at \(broken.table) row \(broken.id): \(broken.reason)")
            throw ExitStatus.someSkipped
        }
        if let mismatch = result.anchorMismatch {
            Console.error("\(options.audit): does not hold the expected anchor: \(mismatch)")
            throw ExitStatus.someSkipped
        }
        Console.out("\(options.audit): intact, \(result.rowsChecked) rows in \(result.heads.count) chains"
            + (expected != nil ? "; holds the expected anchor" : ""))
        for (table, head) in result.heads.sorted(by: { $0.key < $1.key }) { Console.out("  \(table)\t\(head)") }
        if let anchor = result.anchor { Console.out("audit head \(anchor)") }
        Console.flush()
    }
}
