import ArgumentParser
import Audit

/// `bodypart audit summary`: counts per run, decision, modality and body part.
struct AuditSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Counts per run, decision, modality and predicted body part; old → new BodyPartExamined."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: AuditOptions

    @Option(name: .customLong("run"), help: "Only this run (see the run list at the top of the summary).")
    var runID: Int64?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let summary = try AuditCommand.withStore(options) { store throws(AuditError) in try store.summary(runID: runID) }
        switch format {
        case .json: Console.out(Self.json(summary).rendered(indent: 2))
        case .text: for line in Self.text(summary) { Console.out(line) }
        }
        Console.flush()
    }

    static func text(_ s: AuditSummary) -> [String] {
        var lines = ["runs:"]
        for run in s.runs {
            lines.append("  \(run.id ?? 0)\t\(run.mode.rawValue)\t\(run.status.rawValue)\tmodel \(run.modelID)\t"
                + "started \(AuditExport.timestamp(run.startedAt))\tseries \(s.byRun[run.id ?? 0] ?? 0)")
        }
        lines.append("series \(s.series)\tfiles \(s.files)\tchanges \(s.changes)\terrors \(s.errors)")
        for (title, counts) in [("decisions", s.byDecision), ("modalities", s.byModality),
                                ("predicted body parts", s.byPredictedBodyPart)] {
            lines.append("\(title):")
            for (key, count) in AuditSummary.ranked(counts) { lines.append("  \(key)\t\(count)") }
        }
        lines.append("BodyPartExamined old -> new:")
        for t in s.transitions { lines.append("  \(t.from ?? "(missing)") -> \(t.to)\t\(t.count)") }
        return lines
    }

    static func json(_ s: AuditSummary) -> JSON {
        func counts(_ table: [String: Int]) -> JSON {
            .object(AuditSummary.ranked(table).map { ($0.key, .int($0.count)) })
        }
        return .object([
            ("runs", .array(s.runs.map { run in
                .object([("id", .int(Int(run.id ?? 0))), ("mode", .string(run.mode.rawValue)), ("status", .string(run.status.rawValue)),
                         ("modelID", .string(run.modelID)), ("startedAt", .string(AuditExport.timestamp(run.startedAt))),
                         ("finishedAt", .string(run.finishedAt.map(AuditExport.timestamp))),
                         ("series", .int(s.byRun[run.id ?? 0] ?? 0))])
            })),
            ("series", .int(s.series)), ("files", .int(s.files)), ("changes", .int(s.changes)), ("errors", .int(s.errors)),
            ("decisions", counts(s.byDecision)), ("modalities", counts(s.byModality)),
            ("predictedBodyParts", counts(s.byPredictedBodyPart)),
            ("confidenceHistogram", .array(s.confidenceHistogram.map(JSON.int))),
            ("transitions", .array(s.transitions.map {
                .object([("from", .string($0.from)), ("to", .string($0.to)), ("count", .int($0.count))])
            })),
        ])
    }
}
