import ArgumentParser
import Audit
import Foundation

/// `bodypart audit list`: the series decisions, filtered.
struct AuditListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List series decisions: run, decision, confidence, old and new BodyPartExamined, series UID."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @OptionGroup var options: AuditOptions

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: Int64?

    @Option(help: "Only this decision: \(DecisionRecord.decisions.joined(separator: ", ")).")
    var decision: String?

    @Option(help: "Only this SeriesInstanceUID.")
    var series: String?

    @Option(help: "Only series whose predicted, old or new BodyPartExamined is this term.")
    var bodyPart: String?

    @Option(help: "Only decisions recorded since this time (ISO 8601: 2026-11-25 or 2026-11-25T08:00:00Z).")
    var since: String?

    @Option(help: "Output format: table (tab-separated) or jsonl.")
    var format: Format = .table

    func validate() throws {
        if let decision, !DecisionRecord.decisions.contains(decision.uppercased()) {
            throw ValidationError("unknown decision '\(decision)'; use one of \(DecisionRecord.decisions.joined(separator: ", "))")
        }
        if let since, AuditCommand.parseDate(since) == nil {
            throw ValidationError("--since '\(since)' is not an ISO 8601 date (2026-11-25 or 2026-11-25T08:00:00Z)")
        }
    }

    func run() throws {
        let filter = DecisionFilter(runID: runID, decision: decision, series: series, bodyPart: bodyPart,
                                    since: since.flatMap(AuditCommand.parseDate))
        let decisions = try AuditCommand.withStore(options) { store throws(AuditError) in try store.decisions(filter: filter) }
        if format == .table { Console.out("RUN\tDECISION\tCONFIDENCE\tMODALITY\tOLD\tNEW\tPREDICTED\tFILES\tSERIES") }
        for d in decisions {
            switch format {
            case .table:
                Console.out([String(d.runID), d.kind.rawValue, String(format: "%.3f", d.confidence), d.modality ?? "-",
                             d.currentBodyPartExamined ?? "-", d.newBodyPartExamined ?? "-", d.predictedBodyPart ?? "-",
                             String(d.files), d.seriesInstanceUID].joined(separator: "\t"))
            case .jsonl:
                Console.out(Self.json(d).rendered())
            }
        }
        Console.flush()
    }

    static func json(_ d: DecisionRecord) -> JSON {
        .object([
            ("id", .int(Int(d.id ?? 0))), ("runID", .int(Int(d.runID))), ("studyInstanceUID", .string(d.studyInstanceUID)),
            ("seriesInstanceUID", .string(d.seriesInstanceUID)), ("modality", .string(d.modality)),
            ("predictedBodyPart", .string(d.predictedBodyPart)), ("confidence", .number(d.confidence)),
            ("decision", .string(d.kind.rawValue)), ("reason", .string(d.reason)),
            ("currentBodyPartExamined", .string(d.currentBodyPartExamined)),
            ("newBodyPartExamined", .string(d.newBodyPartExamined)), ("files", .int(d.files)),
            ("createdAt", .string(AuditExport.timestamp(d.createdAt))),
        ])
    }
}
