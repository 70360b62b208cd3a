import ArgumentParser
import Audit
import Foundation

/// `bodypart audit ...`: read the audit log a clean run or the proxy wrote.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Summarize, list, show, export, report and verify the audit log.",
        discussion: """
            The audit log is an SQLite file (default bodypart-audit.sqlite in the current folder) that \
            `bodypart clean` and `bodypart proxy` append to. Every subcommand opens it read-only. \
            A missing file exits 66, a file that is not an audit database 65.
            """,
        subcommands: [AuditSummaryCommand.self, AuditListCommand.self, AuditShowCommand.self,
                      AuditExportCommand.self, AuditReportCommand.self, AuditVerifyCommand.self,
                      AuditRevertCommand.self]
    )

    /// Runs `body` against the store, turning an `AuditError` into one line on stderr and an exit code.
    static func withStore<T>(_ options: AuditOptions, _ body: (AuditStore) throws(AuditError) -> T) throws -> T {
        do {
            let store = try AuditStore(path: options.audit, readOnly: true)
            return try body(store)
        } catch {
            Console.error(error.description)
            throw exitCode(for: error)
        }
    }

    /// The exit code of an audit error (the mapping lives in `ExitStatus`).
    static func exitCode(for error: AuditError) -> ExitCode { ExitStatus.code(for: error) }

    /// Parses `2026-11-25` (UTC midnight) or a full ISO 8601 time.
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day())
    }
}

/// The `--audit FILE` option every audit subcommand takes.
struct AuditOptions: ParsableArguments {
    @Option(name: .customLong("audit"), help: ArgumentHelp("The audit database.", valueName: "file"))
    var audit: String = AuditStore.defaultPath
}

/// Writes text to a file, or to stdout when `path` is nil; a write failure exits 73.
enum OutputFile {
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            // Drop the final line feed byte (Console adds one); a CSV's "\r\n" stays intact.
            Console.out(text.utf8.last == 0x0A ? String(decoding: text.utf8.dropLast(), as: UTF8.self) : text)
            Console.flush()
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Console.error("\(path): cannot write (\((error as NSError).localizedDescription)); check the folder exists and is writable")
            throw ExitStatus.cannotCreate
        }
    }
}
