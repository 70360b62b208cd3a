import ArgumentParser
import Audit

/// `bodypart audit show SERIES_UID`: every decision and change of one series.
struct AuditShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the decisions (with reason and evidence) and the changes of one series.",
        discussion: "Exits 1 when the audit log holds nothing about the series."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: AuditOptions

    @Argument(help: "The SeriesInstanceUID.")
    var series: String

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let (decisions, changes) = try AuditCommand.withStore(options) { store throws(AuditError) in
            (try store.decisions(filter: DecisionFilter(series: series)), try store.changes(runID: nil, series: series))
        }
        if decisions.isEmpty && changes.isEmpty {
            Console.error("\(options.audit): nothing recorded about series \(series); `bodypart audit list` shows the series")
            throw ExitStatus.someSkipped
        }
        switch format {
        case .json:
            Console.out(JSON.object([
                ("decisions", .array(decisions.map { decision in
                    guard case .object(var pairs) = AuditListCommand.json(decision) else { return .null }
                    pairs.append(("evidenceJSON", .string(decision.evidenceJSON)))
                    return .object(pairs)
                })),
                ("changes", .array(changes.map(Self.json))),
            ]).rendered(indent: 2))
        case .text:
            for d in decisions {
                Console.out("run \(d.runID)  \(d.kind.rawValue)  \(d.createdAt.formatted(.iso8601))")
                Console.out("  study       \(d.studyInstanceUID)")
                Console.out("  modality    \(d.modality ?? "-")   files \(d.files)")
                Console.out("  predicted   \(d.predictedBodyPart ?? "-")   confidence \(String(format: "%.3f", d.confidence))")
                Console.out("  BodyPartExamined \(d.currentBodyPartExamined ?? "(missing)") -> \(d.newBodyPartExamined ?? "unchanged")")
                Console.out("  reason      \(d.reason)")
                Console.out("  evidence    \(d.evidenceJSON)")
            }
            Console.out("changes: \(changes.count)")
            for c in changes {
                Console.out("  run \(c.runID)\t\(c.sopInstanceUID)\t\(c.tag) \(c.keyword)\t\(c.oldValue ?? "(absent)") -> "
                    + "\(c.newValue ?? "(removed)")\t\(c.outputPath)")
            }
        }
        Console.flush()
    }

    static func json(_ c: ChangeRecord) -> JSON {
        .object([
            ("id", .int(Int(c.id ?? 0))), ("runID", .int(Int(c.runID))), ("sopInstanceUID", .string(c.sopInstanceUID)),
            ("sourcePath", .string(c.sourcePath)), ("outputPath", .string(c.outputPath)), ("tag", .string(c.tag)),
            ("keyword", .string(c.keyword)), ("oldValue", .string(c.oldValue)), ("newValue", .string(c.newValue)),
            ("reason", .string(c.reason)), ("createdAt", .string(AuditExport.timestamp(c.createdAt))),
        ])
    }
}
