import Anatomy
import ArgumentParser
import Classifier
import Cleanup
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

    @Option(name: .customLong("idc-labels"),
            help: "Trusted labels of IDC kinds (shared/data/idc-labels/labels.csv): cross-validate by collection on them (each kind once and weighted by series, phantoms apart, rules beside); reserved collections are never read.")
    var idcLabels: String?

    @Option(help: "With --idc-labels: also write labels.csv and model-/rules- predictions (JSON lines, per condition) here, for shared/tools/score.py and baseline_keywords.py.")
    var scoreDir: String?

    @Option(help: "With --idc-labels: IDC series table, to leave out the collections holding --exclude-series.")
    var data: String?

    @Option(name: .customLong("exclude-series"), help: "With --idc-labels: leave out the collections holding these series (CSV with series_instance_uid).")
    var excludeSeries: [String] = []

    @Option(help: "Grouping for cross-validation folds; only 'collection' is supported.")
    var groupBy = "collection"

    @Option(help: "Number of cross-validation folds.")
    var folds = 5

    @Option(help: "RadLex playbook table added to every fold's training data.")
    var radlex: String?

    @Option(help: "Model family trained in each fold: linear, trees or ensemble.")
    var modelType: ModelType = .ensemble

    @Option(help: "Model file evaluated with --labels (default: the shipped model).")
    var model: String?

    @Option(help: "Rules folder holding body-parts.yaml.")
    var rules: String?

    @OptionGroup var tuning: TrainingTuning

    @Flag(help: "Print the full reports (per-class figures, confusion matrix) as JSON.")
    var json = false

    @Flag(help: "With --idc: instead of cross-validating, time features + prediction of the model (--model or the shipped one) on one core over the table's series.")
    var speed = false

    @Option(help: "Write every evaluated series with its label and the model's answers (TSV) to this file.")
    var predictions: String?

    func validate() throws {
        if speed && idc == nil { throw ValidationError("--speed needs --idc FILE") }
        if [labels, idc, idcLabels].compactMap({ $0 }).count != 1 {
            throw ValidationError("give one of --labels CSV PATH..., --idc FILE or --idc-labels CSV")
        }
        if labels != nil && paths.isEmpty { throw ValidationError("--labels needs the DICOM files or folders to read") }
        if idc != nil && !paths.isEmpty { throw ValidationError("--idc takes no paths") }
        if groupBy != "collection" { throw ValidationError("--group-by supports only 'collection'") }
        if folds < 2 { throw ValidationError("--folds must be at least 2") }
    }

    func run() throws {
        let reports: [EvaluationReport]
        if speed, let idc {
            try measureSpeed(idc)
            Console.flush()
            return
        }
        if let idcLabels {
            try crossValidateTrusted(idcLabels)
            Console.flush()
            return
        } else if let idc {
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
        let (examples, extra, unlabelled) = try TrainCommand.data(idc: path, radlex: radlex, taxonomy: taxonomy,
                                                                  keepUnlabelled: tuning.distantSupervision)
        var builder = ModelBuilder()
        builder.unlabelled = unlabelled
        builder.modelType = modelType
        tuning.apply(to: &builder)
        let cv = GroupedCrossValidation(folds: folds, builder: builder)
        let result = cv.runDetailed(examples: examples, extra: extra, taxonomy: taxonomy) { Console.status($0 + "\n") }
        try writePredictions(result.tested, result.predictions, taxonomy: taxonomy)
        // The same predictions scored on the trusted labels only (see ModelBuilder.trustedMask).
        let trusted = ModelBuilder.trustedMask(result.tested, taxonomy: taxonomy)
        let rows = result.tested.indices.filter { trusted[$0] }
        let labels = rows.map { result.tested[$0].label }
        var trustedReports: [EvaluationReport] = []
        for (c, condition) in BPECondition.standard.enumerated() {
            trustedReports.append(EvaluationReport(name: "model \(condition) trusted", labels: labels,
                                          predictions: rows.map { result.predictions[c][$0] }, taxonomy: taxonomy))
            trustedReports.append(EvaluationReport(name: "rules \(condition) trusted", labels: labels,
                                          predictions: rows.map { result.rules[c][$0] }, taxonomy: taxonomy))
        }
        Console.status("trusted labels: \(rows.count) of \(result.tested.count) series\n")
        return result.reports + trustedReports
    }

    /// Prints series per second of features + prediction on one thread (thread CPU time): with a
    /// new predictor (rule-match cache cold: every distinct description text is matched once),
    /// with a predictor that has seen the texts (warm, as in a stream where a site's descriptions
    /// repeat), and with evidence.
    func measureSpeed(_ path: String) throws {
        // Load time (wall clock, median of 5): the taxonomy alone, then taxonomy + model as
        // every command does at start.
        func wall() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        var taxonomyTimes: [Double] = [], bothTimes: [Double] = []
        for _ in 0..<5 {
            let t0 = wall()
            _ = try TrainCommand.taxonomy(rules: rules)
            let t1 = wall()
            _ = try ClassifyCommand.load(model: model, rules: rules)
            taxonomyTimes.append(t1 - t0)
            bothTimes.append(wall() - t1)
        }
        let median = { (v: [Double]) in v.sorted()[v.count / 2] * 1000 }
        Console.out(String(format: "load (median of 5, wall): taxonomy %.0f ms; taxonomy + model %.0f ms, so the model ≈ %.0f ms",
                           median(taxonomyTimes), median(bothTimes), median(bothTimes) - median(taxonomyTimes)))
        let (taxonomy, bodyPartModel) = try ClassifyCommand.load(model: model, rules: rules)
        let (examples, _, _) = try TrainCommand.data(idc: path, radlex: nil, taxonomy: taxonomy)
        for f in SpeedMeasurement.run(bodyPartModel, series: examples.map(\.metadata)) {
            Console.out(String(format: "%@: %d series in %.2f s CPU = %.0f series/s (evidence %d, one thread, rule cache %@, %d answered)",
                               bodyPartModel.modelID, f.series, f.seconds, f.perSecond, f.evidence, f.warm ? "warm" : "cold", f.answered))
        }
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
        let scan = ClassifyCommand.scan(paths)
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
        let evaluator = Evaluator(taxonomy: taxonomy)
        if predictions != nil {
            let per = BPECondition.standard.enumerated().map { c, condition in
                evaluator.predictions(model: bodyPartModel, examples: examples, condition: condition).model
            }
            try writePredictions(examples, per, taxonomy: taxonomy)
        }
        return evaluator.evaluate(model: bodyPartModel, examples: examples)
    }

    /// Writes `--predictions`: one row per series with the answer under each condition.
    func writePredictions(_ examples: [TrainingExample], _ per: [[Prediction]], taxonomy: Taxonomy) throws {
        guard let predictions else { return }
        do { try PredictionTable.tsv(examples, per, taxonomy: taxonomy).write(toFile: predictions, atomically: true, encoding: .utf8) } catch {
            Console.error("\(predictions): cannot write (\(error.localizedDescription))")
            throw ExitStatus.cannotCreate
        }
    }
}

extension ModelType: ExpressibleByArgument {}
