import Anatomy
import ArgumentParser
import Classifier
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

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder") }
    }

    func run() throws {
        try Setup.dicom(rules: rules)
        let (taxonomy, bodyPartModel) = try ClassifyCommand.load(model: model, rules: rules)
        let scan = SeriesFiles.scan(paths)
        var predictor = bodyPartModel.makePredictor()
        if format == .table { Console.out(["SERIES", "MODALITY", "BODYPART", "CONF", "CURRENT", "STATUS"].joined(separator: "\t")) }
        for series in scan.series {
            let p = predictor.predict(series.metadata)
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
            let m = try model.map { try BodyPartModel.load(from: URL(fileURLWithPath: $0)) }
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

    static func json(_ s: SeriesFiles.Series, _ p: Prediction, status: String, taxonomy: Taxonomy) -> JSON {
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

/// Groups DICOM files into series by SeriesInstanceUID (headers only); a stand-in until the
/// Cleanup target's `SeriesScanner` is available to the CLI.
enum SeriesFiles {
    /// One series: its UIDs, files and aggregated metadata.
    struct Series {
        var seriesInstanceUID: String
        var studyInstanceUID: String
        var files: [String]
        var metadata: SeriesMetadata
    }

    /// Reads every file under `paths`; unreadable files are named on stderr and counted.
    static func scan(_ paths: [String]) -> (series: [Series], failures: [(path: String, message: String)]) {
        let reader = HeaderReader()
        var groups: [String: (study: String, files: [String], instances: [[String: String]])] = [:]
        var order: [String] = []
        var failures: [(path: String, message: String)] = []
        for entry in FileWalker(paths) {
            switch entry {
            case .problem(let path, let reason):
                failures.append((path, reason))
                Console.error("\(path): \(reason)")
            case .file(let path):
                do {
                    let header = try reader.read(path)
                    let uid = header.seriesInstanceUID ?? "nouid:" + path
                    if groups[uid] == nil { order.append(uid); groups[uid] = (header.studyInstanceUID ?? "", [], []) }
                    groups[uid]!.files.append(path)
                    groups[uid]!.instances.append(header.classifierAttributes)
                } catch {
                    failures.append((path, error.description))
                    Console.error(error.description)
                }
            }
        }
        let series = order.map { uid in
            let g = groups[uid]!
            return Series(seriesInstanceUID: uid, studyInstanceUID: g.study, files: g.files,
                          metadata: SeriesMetadata(instances: g.instances))
        }
        return (series, failures)
    }
}
