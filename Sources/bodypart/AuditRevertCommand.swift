import ArgumentParser
import Audit
import Cleanup
import DicomIO

/// `bodypart audit revert --run ID [--series UID]`: undo a run's changes.
struct AuditRevertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revert",
        abstract: "Restore the original values into the files a run wrote, and record the revert.",
        discussion: """
            Every attribute the run changed gets back the exact element kept in the file's Original \
            Attributes Sequence (same VR, same bytes); attributes that were absent are removed again; \
            the run's Original Attributes Sequence item and private prediction block are removed. The \
            revert is itself a run in the audit (mode revert). Revert the newest run first: a file \
            changed again by a later run is refused and named.
            """
    )

    @OptionGroup var options: AuditOptions

    @Option(name: .customLong("run"), help: "The run to revert (see `bodypart audit summary`).")
    var runID: Int64

    @Option(help: "Only this series (SeriesInstanceUID).")
    var series: String?

    @Option(help: "Rules folder (for the private dictionary).")
    var rules: String?

    func run() throws {
        try Setup.dicom(rules: rules)
        let store: AuditStore
        do { store = try AuditStore(path: options.audit) } catch {
            Console.error(error.description)
            throw AuditCommand.exitCode(for: error)
        }
        let summary: RevertSummary
        do {
            summary = try Reverter(store: store, commandLine: (["bodypart"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
                .revert(runID: runID, series: series)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.usage
        }
        for failure in summary.failures { Console.error(failure) }
        Console.status("bodypart: revert run \(summary.runID): \(summary.filesReverted) files restored, "
            + "\(summary.changesUndone) changes undone, \(summary.failures.count) failed\n")
        if !summary.failures.isEmpty { throw ExitStatus.someSkipped }
    }
}
