import ArgumentParser
import Audit

/// `bodypart review list`: the queue, one series per line.
struct ReviewListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the review queue: status, both answers, series UID (open ones by default)."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @OptionGroup var options: AuditOptions

    @Option(help: "Only this status: \(ReviewRecord.statuses.joined(separator: ", ")), or all.")
    var status = "open"

    @Option(help: "Output format: table (tab-separated) or jsonl.")
    var format: Format = .table

    func validate() throws {
        guard status == "all" || ReviewRecord.statuses.contains(status) else {
            throw ValidationError("unknown status '\(status)'; use one of \(ReviewRecord.statuses.joined(separator: ", ")), all")
        }
    }

    func run() throws {
        let wanted = ReviewStatus(rawValue: status)  // nil for "all"
        let queue = try AuditCommand.withStore(options) { store throws(AuditError) in try store.reviewQueue(status: wanted) }
        if format == .table { Console.out("STATUS\tMETADATA\tPIXEL\tSENT\tLABEL\tMODALITY\tRUN\tSERIES") }
        for r in queue {
            switch format {
            case .table:
                Console.out([r.state.rawValue, ReviewCommand.answer(r.metadataAnswer, r.metadataConfidence),
                             ReviewCommand.answer(r.pixelAnswer, r.pixelConfidence), r.currentBodyPartExamined ?? "-",
                             r.label ?? "-", r.modality ?? "-", String(r.runID), r.seriesInstanceUID].joined(separator: "\t"))
            case .jsonl:
                Console.out(ReviewCommand.json(r).rendered())
            }
        }
        Console.flush()
    }
}
