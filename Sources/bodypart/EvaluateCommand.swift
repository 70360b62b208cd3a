import Anatomy
import ArgumentParser
import Classifier
import Foundation

/// `bodypart evaluate`: coverage, accuracy and wrong-answer rate of the model beside the rule
/// baseline, with BodyPartExamined as-is, hidden and corrupted.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure the body-part model on labelled DICOM series or by grouped cross-validation on IDC.",
        discussion: """
            With --labels CSV PATH...: reads the DICOM files under PATH, joins their series to the \
            CSV's series_instance_uid,label columns and evaluates the model. With --idc FILE: trains \
            and evaluates --folds models, each tested on collections it never saw. Every figure is \
            given for BodyPartExamined as-is, hidden, and corrupted (20 % replaced by another term, \
            seeded), model beside rules. Answers equivalent to the label (HEAD for BRAIN) count as \
            correct; "strict" counts identical terms only.
            """
    )

    @Option(help: "CSV with series_instance_uid and label columns (labels UNKNOWN: no honest label).")
    var labels: String?

    @Argument(help: "DICOM files or folders (with --labels).")
    var paths: [String] = []

    @Option(help: "IDC series table (.data/idc-series.tsv) for grouped cross-validation.")
    var idc: String?

    @Option(help: "Grouping for cross-validation folds; only 'collection' is supported.")
    var groupBy = "collection"

    @Option(help: "Number of cross-validation folds.")
    var folds = 5

    @Option(help: "RadLex playbook table added to every fold's training data.")
    var radlex: String?

    @Option(help: "Model family trained in each fold: linear, trees or ensemble.")
    var modelType: ModelType = .linear

    @Option(help: "Model file evaluated with --labels (default: the shipped model).")
    var model: String?

    @Option(help: "Rules folder holding body-parts.yaml.")
    var rules: String?

    @Flag(help: "Print the full reports (per-class figures, confusion matrix) as JSON.")
    var json = false

    func validate() throws {
        if modelType != .linear { throw ValidationError("--model-type \(modelType.rawValue) is not implemented yet; use linear") }
        if (labels == nil) == (idc == nil) { throw ValidationError("give either --labels CSV PATH... or --idc FILE") }
        if labels != nil && paths.isEmpty { throw ValidationError("--labels needs the DICOM files or folders to read") }
        if idc != nil && !paths.isEmpty { throw ValidationError("--idc takes no paths") }
        if groupBy != "collection" { throw ValidationError("--group-by supports only 'collection'") }
        if folds < 2 { throw ValidationError("--folds must be at least 2") }
    }

    func run() throws {
        let reports: [EvaluationReport]
        if let idc {
            reports = try crossValidate(idc)
        } else {
            reports = try evaluateFiles(labels!)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.out(String(decoding: try encoder.encode(reports), as: UTF8.self))
        } else {
            for r in reports { Console.out(r.summaryLine) }
        }
        Console.flush()
    }

    func crossValidate(_ path: String) throws -> [EvaluationReport] {
        let (taxonomy, _) = try TrainCommand.taxonomy(rules: rules)
        let (examples, extra) = try TrainCommand.data(idc: path, radlex: radlex, taxonomy: taxonomy)
        var builder = ModelBuilder()
        builder.modelType = modelType
        let cv = GroupedCrossValidation(folds: folds, builder: builder)
        return cv.run(examples: examples, extra: extra, taxonomy: taxonomy) { Console.status($0 + "\n") }
    }

    func evaluateFiles(_ csv: String) throws -> [EvaluationReport] {
        try Setup.dicom(rules: rules)
        let (taxonomy, bodyPartModel) = try ClassifyCommand.load(model: model, rules: rules)
        let table: DelimitedText
        do { table = try DelimitedText(contentsOf: URL(fileURLWithPath: csv)) } catch {
            Console.error("\(csv): \(error.localizedDescription)")
            throw ExitStatus.noInput
        }
        guard let u = table.column("series_instance_uid"), let l = table.column("label") else {
            Console.error("\(csv): needs columns series_instance_uid and label")
            throw ExitStatus.dataError
        }
        var labelByUID: [String: String] = [:]
        for row in table.rows { labelByUID[row[u]] = row[l] }
        let scan = SeriesFiles.scan(paths)
        var examples: [TrainingExample] = []
        for s in scan.series {
            guard let label = labelByUID[s.seriesInstanceUID] else { continue }
            examples.append(TrainingExample(metadata: s.metadata, label: label, group: "files",
                                            seriesInstanceUID: s.seriesInstanceUID))
        }
        Console.status("\(scan.series.count) series read, \(examples.count) labelled, \(scan.failures.count) files skipped; "
                       + "model \(bodyPartModel.modelID)\n")
        guard !examples.isEmpty else {
            Console.error("no series under \(paths.joined(separator: " ")) is in \(csv)")
            throw ExitStatus.noInput
        }
        return Evaluator(taxonomy: taxonomy).evaluate(model: bodyPartModel, examples: examples)
    }
}

extension ModelType: ExpressibleByArgument {}
