import ArgumentParser
import Audit

/// `bodypart audit verify`: recompute every hash chain; exit 1 naming the first broken row.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chains; exit 1 naming the table and row where one breaks.",
        discussion: """
            Catches rows edited, inserted or deleted by any tool, even one that dropped the append-only \
            triggers. Rows cut from the end of a table leave no trace inside the file: keep the printed \
            heads elsewhere and compare.
            """
    )

    @OptionGroup var options: AuditOptions

    func run() throws {
        let result = try AuditCommand.withStore(options) { store throws(AuditError) in try store.verify() }
        if let broken = result.firstBreak {
            Console.error("\(options.audit): hash chain broken at \(broken.table) row \(broken.id): \(broken.reason)")
            throw ExitStatus.someSkipped
        }
        Console.out("\(options.audit): intact, \(result.rowsChecked) rows in \(result.heads.count) chains")
        for (table, head) in result.heads.sorted(by: { $0.key < $1.key }) { Console.out("  \(table)\t\(head)") }
        Console.flush()
    }
}
