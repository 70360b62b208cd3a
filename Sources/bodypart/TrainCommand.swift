import Anatomy
import ArgumentParser
import Classifier
import Foundation

/// `bodypart train`: trains, calibrates and writes a body-part model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the metadata body-part model on the IDC series table (and RadLex names).",
        discussion: """
            Labels come from each series' BodyPartExamined normalized by Rules/body-parts.yaml; \
            series without a usable one are not used. A share of whole collections is held out to \
            fit the calibration temperature and the abstention threshold (at most --max-wrong-rate \
            wrong answers with BodyPartExamined hidden). Progress goes to stderr; the held-out \
            figures are printed at the end.
            """
    )

    @Option(help: "IDC series table written by Scripts/prepare_idc.py (.data/idc-series.tsv).")
    var data: String

    @Option(help: "RadLex playbook table (procedure names with body region) used as extra training examples.")
    var radlex: String?

    @Option(help: "Model family: linear, trees or ensemble.")
    var modelType: ModelType = .ensemble

    @Option(help: "Output model file (.bpmodel).")
    var out: String

    @Option(help: "Training epochs of the linear model.")
    var epochs = 6

    @Option(help: "Largest wrong-answer rate on the held-out collections when choosing the threshold.")
    var maxWrongRate = 0.01

    @Option(help: "Random seed (training order, augmentation, calibration split).")
    var seed: UInt64 = 7

    @Option(help: "Rules folder holding body-parts.yaml.")
    var rules: String?

    @OptionGroup var tuning: TrainingTuning

    func validate() throws {
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if !(0..<1).contains(maxWrongRate) { throw ValidationError("--max-wrong-rate must be in [0, 1)") }
        if !out.hasSuffix(".bpmodel") { throw ValidationError("--out must name a .bpmodel file") }
        try tuning.validate()
    }

    func run() throws {
        let (taxonomy, _) = try Self.taxonomy(rules: rules)
        let (examples, extra) = try Self.data(idc: data, radlex: radlex, taxonomy: taxonomy)
        var builder = ModelBuilder()
        builder.modelType = modelType
        builder.linearTrainer.epochs = epochs
        builder.linearTrainer.seed = seed
        builder.seed = seed
        builder.maxWrongRate = maxWrongRate
        tuning.apply(to: &builder)
        let start = Date()
        var model = builder.build(examples: examples, extra: extra, taxonomy: taxonomy) { Console.status($0 + "\n") }
        model.info["data"] = URL(fileURLWithPath: data).lastPathComponent
        model.info["radlex"] = radlex.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        model.info["trained"] = ISO8601DateFormatter().string(from: Date())
        do { try model.save(to: URL(fileURLWithPath: out)) } catch {
            Console.error("\(out): cannot write the model (\(error.localizedDescription))")
            throw ExitStatus.cannotCreate
        }
        Console.status(String(format: "wrote %@ (%@, %d classes) in %.1f s\n", out, model.modelID, model.classes.count,
                              Date().timeIntervalSince(start)))
        let (_, held) = ModelBuilder.splitByGroup(examples, share: builder.calibrationShare, seed: builder.seed)
        Console.out("held-out calibration collections (\(Set(held.map(\.group)).count)), used to fit the threshold:")
        for r in Evaluator(taxonomy: taxonomy).evaluate(model: model, examples: held) { Console.out(r.summaryLine) }
        let trusted = zip(held, ModelBuilder.trustedMask(held, taxonomy: taxonomy)).filter(\.1).map(\.0)
        Console.out("trusted part (\(trusted.count) of \(held.count): label not contradicted by the series' own descriptions):")
        for r in Evaluator(taxonomy: taxonomy).evaluate(model: model, examples: trusted) { Console.out(r.summaryLine) }
        Console.flush()
    }

    /// Loads the taxonomy; errors become one line and exit 65.
    static func taxonomy(rules: String?) throws -> (Taxonomy, URL) {
        do {
            let dir = try RulesDirectory.locate(explicit: rules)
            return (try Taxonomy.load(from: dir.appendingPathComponent(RulesDirectory.markerFile)), dir)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
    }

    /// Reads the IDC table and the RadLex table; errors become one line and exit 66.
    static func data(idc: String, radlex: String?, taxonomy: Taxonomy) throws -> ([TrainingExample], [TrainingExample]) {
        do {
            let table = try TrainingData.idc(URL(fileURLWithPath: idc), taxonomy: taxonomy)
            let extra = try radlex.map { try TrainingData.radlex(URL(fileURLWithPath: $0), taxonomy: taxonomy) } ?? []
            Console.status("\(idc): \(table.labelled.count) labelled series kept, \(table.unlabelled) unlabelled skipped; "
                           + "\(extra.count) RadLex examples\n")
            return (table.labelled, extra)
        } catch {
            Console.error("cannot read training data: \(error.localizedDescription) (run `make data` for .data/idc-series.tsv)")
            throw ExitStatus.noInput
        }
    }
}

/// Training settings shared by `train` and `evaluate --idc`.
struct TrainingTuning: ParsableArguments {
    @Option(help: "Drop training series whose label conflicts with the rule class of their own descriptions (true/false).")
    var cleanLabels = true

    @Option(help: "With --clean-labels: also drop series whose rule class merely contains or is contained in the label (true/false).")
    var cleanStrict = false

    @Option(help: "Also drop such series from the calibration collections (true/false).")
    var cleanCalibration = false

    @Option(help: "Most training series per collection and class (0: no cap beyond the data reader's).")
    var capPerCollectionClass = 0

    @Option(help: "Weight of the linear model in the ensemble (0...1).")
    var linearShare = 0.5

    @Option(help: "Trees in the forest.")
    var trees = 30

    @Option(help: "Fit temperature and thresholds on the trusted held-out series only: labels not contradicted by their own descriptions, outside collection×label sets most of whose series contradict it (true/false).")
    var trustedCalibration = true

    @Option(help: "Also fit the agreement threshold: answers agreeing with an unambiguous rule match of the descriptions are accepted from it (true/false).")
    var agreement = true

    @Option(help: "Which held-out labels fit the main threshold: trusted, or all (noisy IDC labels); the agreement threshold is always fitted on the trusted ones.")
    var mainThresholdLabels = "all"

    func validate() throws {
        if !["all", "trusted"].contains(mainThresholdLabels) { throw ValidationError("--main-threshold-labels must be 'all' or 'trusted'") }
    }

    func apply(to builder: inout ModelBuilder) {
        builder.dropRuleConflicts = cleanLabels
        builder.cleanCalibration = cleanCalibration
        builder.dropRuleDisagreements = cleanStrict
        builder.capPerGroupClass = capPerCollectionClass
        builder.linearShare = linearShare
        builder.forestTrainer.trees = trees
        builder.trustedCalibration = trustedCalibration
        builder.agreementPoint = agreement
        builder.mainThresholdOnTrusted = mainThresholdLabels != "all"
    }
}
