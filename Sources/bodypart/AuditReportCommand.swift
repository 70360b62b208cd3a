import ArgumentParser
import Audit

/// `bodypart audit report --html FILE`: one self-contained HTML page.
struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (totals, charts, old → new matrix, series to look at).",
        discussion: "The page fetches nothing from the network: it can be mailed or archived as is."
    )

    @OptionGroup var options: AuditOptions

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file"))
    var html: String

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: Int64?

    @Option(help: "List series below this confidence under 'Series to look at'.")
    var lowConfidence: Double = 0.6

    func validate() throws {
        guard (0...1).contains(lowConfidence) else { throw ValidationError("--low-confidence must be between 0 and 1") }
    }

    func run() throws {
        let runID = self.runID
        let threshold = lowConfidence
        let report = try AuditCommand.withStore(options) { store throws(AuditError) in
            try HTMLReport.load(from: store, runID: runID, lowConfidence: threshold)
        }
        try OutputFile.write(report.render(), to: html)
    }
}
