import ArgumentParser
import Audit

/// `bodypart audit export --format csv|json`: decisions and changes for other tools.
struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export decisions and changes as CSV or JSON.",
        discussion: """
            JSON holds {"decisions": [...], "changes": [...]} unless --records picks one. CSV holds one \
            table: decisions unless --records changes. Rows carry their hash-chain hash.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
    enum Records: String, ExpressibleByArgument, CaseIterable { case decisions, changes, all }

    @OptionGroup var options: AuditOptions

    @Option(help: "csv or json.")
    var format: Format

    @Option(help: "decisions, changes or all (all: JSON only).")
    var records: Records?

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: Int64?

    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var out: String?

    func validate() throws {
        if format == .csv && records == .all {
            throw ValidationError("CSV holds one table: use --records decisions or --records changes")
        }
    }

    func run() throws {
        let chosen = records ?? (format == .csv ? .decisions : .all)
        let runID = self.runID
        let (decisions, changes) = try AuditCommand.withStore(options) { store throws(AuditError) in
            (chosen == .changes ? nil : try store.decisions(filter: DecisionFilter(runID: runID)),
             chosen == .decisions ? nil : try store.changes(runID: runID, series: nil))
        }
        let text: String
        switch format {
        case .csv: text = decisions.map { AuditExport.csv(decisions: $0) } ?? AuditExport.csv(changes: changes ?? [])
        case .json: text = AuditExport.json(decisions: decisions, changes: changes)
        }
        try OutputFile.write(text, to: out)
    }
}
