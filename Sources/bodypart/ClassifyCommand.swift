import Anatomy
import ArgumentParser
import Classifier
import Cleanup
import DicomCore
import DicomIO
import Foundation

/// `bodypart classify PATH...`: the predicted body part of each series, as JSON lines.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Predict the body part of each DICOM series from its header (no changes are made).",
        discussion: """
            Folders are read recursively and files are grouped into series by SeriesInstanceUID. \
            Each series gives one JSON object: UIDs, modality, bodyPart (null when the model \
            abstains), its SNOMED code, calibrated confidence, alternatives, evidence, the current \
            BodyPartExamined and how it compares (missing, agrees, equivalent, nonstandard, \
            contradicts), and the files.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, table }

    @Argument(help: "DICOM files or folders.")
    var paths: [String]

    @Option(help: "Model file (.bpmodel); default: Rules/model/default.bpmodel.")
    var model: String?

    @Option(help: "Rules folder holding body-parts.yaml (default: found next to the binary or above the current folder).")
    var rules: String?

    @Option(help: "Output format: jsonl (one object per series) or table.")
    var format: Format = .jsonl

    @Flag(help: "Predict as if BodyPartExamined were absent (to measure the model on the rest of the header).")
    var hideBodyPartExamined = false

    @Flag(inversion: .prefixedNo, help: "Read each series with its study: an abstained series whose own descriptions name no body part takes the region its study's other series agree on.")
    var studyContext = true

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder") }
    }

    func run() throws {
        try ExitStatus.requireInputs(paths)
        try Setup.dicom(rules: rules)
        let (taxonomy, bodyPartModel) = try ClassifyCommand.load(model: model, rules: rules)
        let scan = ClassifyCommand.scan(paths)
        if format == .table { Console.out(["SERIES", "MODALITY", "BODYPART", "CONF", "CURRENT", "STATUS"].joined(separator: "\t")) }
        let metadata = scan.series.map { hideBodyPartExamined ? $0.metadata.withBodyPartExamined(nil) : $0.metadata }
        let predictions = bodyPartModel.predict(metadata, studies: scan.series.map(\.studyInstanceUID), studyContext: studyContext)
        for (series, p) in zip(scan.series, predictions) {
            let current = series.metadata["BodyPartExamined"]
            let status = ClassifyCommand.status(current: current, predicted: p.topClass, taxonomy: taxonomy)
            switch format {
            case .table:
                Console.out([series.seriesInstanceUID, series.metadata["Modality"] ?? "-", p.bodyPart ?? "-",
                             String(format: "%.3f", p.confidence), current ?? "-", status].joined(separator: "\t"))
            case .jsonl:
                Console.out(ClassifyCommand.json(series, p, status: status, taxonomy: taxonomy).rendered())
            }
        }
        Console.flush()
        if scan.series.isEmpty && scan.failures.isEmpty {
            Console.error("no DICOM files found under \(paths.joined(separator: " "))")
            throw ExitStatus.noInput
        }
        if !scan.failures.isEmpty { throw ExitStatus.someSkipped }
    }

    /// Loads the taxonomy and the model; errors become one line and exit 65.
    static func load(model: String?, rules: String?) throws -> (Taxonomy, BodyPartModel) {
        do {
            let taxonomy = try Taxonomy.load(from: RulesDirectory.locate(explicit: rules).appendingPathComponent(RulesDirectory.markerFile))
            let m = try model.map { try BodyPartModel.load(from: URL(fileURLWithPath: $0), taxonomy: taxonomy) }
                ?? BodyPartModel.standard(rulesDirectory: rules)
            return (taxonomy, m)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
    }

    /// How the current BodyPartExamined compares with the model's top class (see `abstained`
    /// for whether the model is confident).
    static func status(current: String?, predicted: String, taxonomy: Taxonomy) -> String {
        guard let current, !current.trimmingCharacters(in: .whitespaces).isEmpty else { return "missing" }
        let n = taxonomy.normalize(current)
        guard let term = n.term else { return "contradicts" }
        if term == predicted { return current.trimmingCharacters(in: .whitespaces) == term ? "agrees" : "nonstandard" }
        if taxonomy.areEquivalent(term, predicted) || taxonomy.contains(term, predicted) || taxonomy.contains(predicted, term) {
            return "equivalent"
        }
        return "contradicts"
    }

    /// Reads and groups the series under `paths` (bodypart's own earlier edits undone, so that
    /// answers do not change on cleaned files); each unreadable file is named on stderr.
    static func scan(_ paths: [String]) -> ScanResult {
        let result = SeriesScanner().scan(paths: paths)
        for failure in result.failures { Console.error(failure.message) }
        return result
    }

    static func json(_ s: ScannedSeries, _ p: Prediction, status: String, taxonomy: Taxonomy) -> JSON {
        let code: JSON = p.bodyPart.flatMap { taxonomy.term($0) }.map {
            .object([("value", .string($0.snomedCode)), ("scheme", .string("SCT")), ("meaning", .string($0.codeMeaning))])
        } ?? .null
        func round(_ x: Double) -> JSON { .number((x * 10000).rounded() / 10000) }
        return .object([
            ("seriesInstanceUID", .string(s.seriesInstanceUID)),
            ("studyInstanceUID", .string(s.studyInstanceUID)),
            ("modality", .string(s.metadata["Modality"])),
            ("bodyPart", .string(p.bodyPart)),
            ("code", code),
            ("confidence", round(p.confidence)),
            ("abstained", .bool(p.abstained)),
            ("precision", .string(p.abstained ? nil : p.precision.rawValue)),
            ("basis", .string(p.abstained ? nil : p.basis.rawValue)),
            ("topClass", .string(p.topClass)),
            ("alternatives", .array(p.alternatives.map { .object([("bodyPart", .string($0.bodyPart)), ("confidence", round($0.confidence))]) })),
            ("evidence", .array(p.evidence.map { .object([("field", .string($0.field)), ("term", .string($0.term)), ("weight", round($0.weight))]) })),
            ("currentBodyPartExamined", .string(s.metadata["BodyPartExamined"])),
            ("status", .string(status)),
            ("modelID", .string(p.modelID)),
            ("files", .array(s.files.map { .string($0) })),
        ])
    }
}
