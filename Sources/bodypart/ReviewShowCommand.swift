import ArgumentParser
import Audit
import Foundation

/// `bodypart review show SERIES`: what both models said, the evidence, and
/// the review's history.
struct ReviewShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show what the metadata model and the pixel check said about a series, their evidence, and the verdicts.",
        discussion: "Exits 1 when the series is not in the review queue."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: AuditOptions

    @Argument(help: "The SeriesInstanceUID.")
    var series: String

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let (history, decisions) = try AuditCommand.withStore(options) { store throws(AuditError) in
            (try store.reviews(series: series), try store.decisions(filter: DecisionFilter(series: series)))
        }
        guard let current = history.last else {
            Console.error(AuditError.noReview(path: options.audit, series: series).description)
            throw ExitStatus.someSkipped
        }
        switch format {
        case .json:
            Console.out(JSON.object([
                ("review", ReviewCommand.json(current)), ("history", .array(history.map(ReviewCommand.json))),
                ("decisions", .array(decisions.map { d in
                    guard case .object(var pairs) = AuditListCommand.json(d) else { return .null }
                    pairs.append(("evidenceJSON", .string(d.evidenceJSON)))
                    return .object(pairs)
                })),
            ]).rendered(indent: 2))
        case .text:
            Console.out("series      \(current.seriesInstanceUID)")
            Console.out("study       \(current.studyInstanceUID)   modality \(current.modality ?? "-")")
            Console.out("status      \(current.status)\(current.label.map { "   label \($0)" } ?? "")")
            Console.out("sent        BodyPartExamined \(current.currentBodyPartExamined ?? "(missing)")")
            Console.out("metadata    \(ReviewCommand.answer(current.metadataAnswer, current.metadataConfidence))")
            Console.out("pixel       \(ReviewCommand.answer(current.pixelAnswer, current.pixelConfidence))   model \(current.pixelModel ?? "-")")
            for d in decisions {
                let evidence = Self.evidence(d.evidenceJSON)
                Console.out("run \(d.runID)  \(d.decision)  \(d.reason)")
                if let words = evidence["evidence"], !words.isEmpty { Console.out("  metadata evidence  \(words)") }
                if let alternatives = evidence["alternatives"], !alternatives.isEmpty { Console.out("  alternatives       \(alternatives)") }
                if let detail = evidence["pixel.detail"] { Console.out("  pixel evidence     \(detail)") }
                if let reason = evidence["pixel.reason"] { Console.out("  pixel note         \(reason)") }
            }
            Console.out("history:")
            for r in history {
                Console.out("  \(AuditExport.timestamp(r.at))  \(r.status)  \(r.label ?? "-")  \(r.reviewer)  \(r.note ?? "")")
            }
        }
        Console.flush()
    }

    /// The decision evidence as a flat string map.
    static func evidence(_ json: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
    }
}
