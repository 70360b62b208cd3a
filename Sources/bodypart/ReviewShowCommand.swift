import ArgumentParser
import Audit
import Foundation
import Preview

/// `bodypart review show SERIES`: what both models said, the evidence, and
/// the review's history.
struct ReviewShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show what the metadata model and the pixel check said about a series, their evidence, and the verdicts.",
        discussion: """
            With --previews, also writes PNG previews of the series (read from the files the audit \
            recorded for it): SERIES-mid.png, the middle slice, and SERIES-coronal.png, a coronal \
            reformat of an axial stack, at most 256 pixels a side, CT in W 400 L 40. A view that \
            cannot be made (single slice, files gone) is named with the reason. Exits 1 when the \
            series is not in the review queue.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: AuditOptions

    @Argument(help: "The SeriesInstanceUID.")
    var series: String

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Flag(help: "Write PNG previews of the series into AUDIT.previews/ beside the audit file.")
    var previews = false

    @Option(help: ArgumentHelp("Write the PNG previews into this folder instead (implies --previews).", valueName: "folder"))
    var previewsDir: String?

    func run() throws {
        let (history, decisions) = try AuditCommand.withStore(options) { store throws(AuditError) in
            (try store.reviews(series: series), try store.decisions(filter: DecisionFilter(series: series)))
        }
        guard let current = history.last else {
            Console.error(AuditError.noReview(path: options.audit, series: series).description)
            throw ExitStatus.someSkipped
        }
        var written: ReviewPreviewFiles.Outcome?
        if previews || previewsDir != nil {
            try ReviewPreviewFiles.setUp()
            let folder = previewsDir ?? options.audit + ".previews"
            let store = try AuditCommand.withStore(options) { $0 }
            written = try ReviewPreviewFiles.write(current, store: store, into: folder)
        }
        switch format {
        case .json:
            var pairs: [(String, JSON)] = [
                ("review", ReviewCommand.json(current)), ("history", .array(history.map(ReviewCommand.json))),
                ("decisions", .array(decisions.map { d in
                    guard case .object(var pairs) = AuditListCommand.json(d) else { return .null }
                    pairs.append(("evidenceJSON", .string(d.evidenceJSON)))
                    return .object(pairs)
                })),
            ]
            if let written { pairs.append(("previews", Self.json(written))) }
            Console.out(JSON.object(pairs).rendered(indent: 2))
        case .text:
            Console.out("series      \(current.seriesInstanceUID)")
            Console.out("study       \(current.studyInstanceUID)   modality \(current.modality ?? "-")")
            Console.out("status      \(current.state.rawValue)\(current.label.map { "   label \($0)" } ?? "")")
            Console.out("sent        BodyPartExamined \(current.currentBodyPartExamined ?? "(missing)")")
            Console.out("metadata    \(ReviewCommand.answer(current.metadataAnswer, current.metadataConfidence))")
            Console.out("pixel       \(ReviewCommand.answer(current.pixelAnswer, current.pixelConfidence))   model \(current.pixelModel ?? "-")")
            for d in decisions {
                let evidence = Self.evidence(d.evidenceJSON)
                Console.out("run \(d.runID)  \(d.kind.rawValue)  \(d.reason)")
                if let words = evidence["evidence"], !words.isEmpty { Console.out("  metadata evidence  \(words)") }
                if let alternatives = evidence["alternatives"], !alternatives.isEmpty { Console.out("  alternatives       \(alternatives)") }
                if let detail = evidence["pixel.detail"] { Console.out("  pixel evidence     \(detail)") }
                if let reason = evidence["pixel.reason"] { Console.out("  pixel note         \(reason)") }
            }
            Console.out("history:")
            for r in history {
                Console.out("  \(AuditExport.timestamp(r.at))  \(r.state.rawValue)  \(r.label ?? "-")  \(r.reviewer)  \(r.note ?? "")")
            }
            if let written {
                for picture in written.pictures {
                    let title = picture.view.title.padding(toLength: 17, withPad: " ", startingAt: 0)
                    if let file = picture.file {
                        Console.out("preview     \(title)\(file)  \(picture.width)×\(picture.height)  \(picture.caption)")
                    } else {
                        Console.out("preview     \(title)\(picture.caption)")
                    }
                }
                for note in written.notes { Console.out("preview     note: \(note)") }
            }
        }
        Console.flush()
    }

    /// The previews written, as JSON.
    static func json(_ outcome: ReviewPreviewFiles.Outcome) -> JSON {
        .object([
            ("pictures", .array(outcome.pictures.map { p in
                .object([("view", .string(p.view.rawValue)), ("file", .string(p.file)),
                         ("width", p.file == nil ? .null : .int(p.width)), ("height", p.file == nil ? .null : .int(p.height)),
                         ("caption", .string(p.caption))])
            })),
            ("note", .string(outcome.note)), ("notes", .array(outcome.notes.map { .string($0) })),
        ])
    }

    /// The decision evidence as a flat string map.
    static func evidence(_ json: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
    }
}
