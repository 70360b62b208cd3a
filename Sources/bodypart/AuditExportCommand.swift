import ArgumentParser
import Audit

/// `bodypart audit export --format csv|json`: decisions and changes for other tools.
struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export decisions, changes and errors as CSV or JSON.",
        discussion: """
            JSON holds {"decisions": [...], "changes": [...], "errors": [...]} unless --records picks one. \
            CSV holds one table: decisions unless --records changes or errors. Errors are the inputs a \
            run could not handle: path, kind, reason. Rows carry their hash-chain hash.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
    enum Records: String, ExpressibleByArgument, CaseIterable { case decisions, changes, errors, all }

    @OptionGroup var options: AuditOptions

    @Option(help: "csv or json.")
    var format: Format

    @Option(help: "decisions, changes, errors or all (all: JSON only).")
    var records: Records?

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: Int64?

    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var out: String?

    func validate() throws {
        if format == .csv && records == .all {
            throw ValidationError("CSV holds one table: use --records decisions, changes or errors")
        }
    }

    func run() throws {
        let chosen = records ?? (format == .csv ? .decisions : .all)
        let runID = self.runID
        let (decisions, changes, errors) = try AuditCommand.withStore(options) { store throws(AuditError) in
            ([.decisions, .all].contains(chosen) ? try store.decisions(filter: DecisionFilter(runID: runID)) : nil,
             [.changes, .all].contains(chosen) ? try store.changes(runID: runID, series: nil) : nil,
             [.errors, .all].contains(chosen) ? try store.errors(runID: runID) : nil)
        }
        let text: String
        switch format {
        case .csv:
            if let decisions { text = AuditExport.csv(decisions: decisions) }
            else if let errors { text = AuditExport.csv(errors: errors) }
            else { text = AuditExport.csv(changes: changes ?? []) }
        case .json: text = AuditExport.json(decisions: decisions, changes: changes, errors: errors)
        }
        try OutputFile.write(text, to: out)
    }
}
