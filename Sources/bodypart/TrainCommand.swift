import Anatomy
import ArgumentParser
import Classifier
import Foundation

/// `bodypart train`: trains a model from IDC metadata, fine-tunes one on a site's own labels, or
/// exports a training manifest for an external pixel model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the metadata body-part model, fine-tune it on a site's labelled series, or export labels for a pixel model.",
        usage: """
            bodypart train --data IDC.tsv [--radlex TSV] --out MODEL.bpmodel [options]
            bodypart train [--site DIR [--labels CSV] [--teacher pixel]] [--from-review AUDIT] --out MODEL.bpmodel [--base MODEL]
            bodypart train --export-pixel-manifest OUT.csv --site DIR [--base MODEL]
            """,
        discussion: """
            Full training (--data): labels come from each series' BodyPartExamined normalized by \
            Rules/body-parts.yaml; series without a usable one are not used. A share of whole \
            collections is held out to fit the calibration temperature and the abstention threshold \
            (at most --max-wrong-rate wrong answers with BodyPartExamined hidden). Progress goes to \
            stderr; the held-out figures are printed at the end.

            Fine-tuning (--site, --from-review, --teacher): starts from --base (default: the shipped \
            model) and continues training its linear part on the site's labelled series: labels from \
            a CSV (series_instance_uid,body_part, or the label column of dicom-dev's labels.csv) for \
            the DICOM files under --site; accepted and relabelled reviews of an audit database (the \
            series read again from the files the audit names); and, with --teacher pixel, the CT pixel \
            check's answer where its confidence reaches --teacher-min-confidence. A series labelled by \
            several sources takes the review's label, else the CSV's, else the pixel teacher's. Labels \
            that contradict more than --max-label-disagreement of the base model's answers are refused \
            before training. The series are split by study into training and validation \
            (--validation-share, --seed). The \
            new model is written only if, on the validation series, with BodyPartExamined as-is and \
            hidden, it answers no more series wrongly, no fewer correctly and no more UNKNOWN ones, no \
            class with at least --gate-min-class validation series loses more than 1 point, it does \
            better somewhere, and it still knows the taxonomy's own term names; otherwise nothing is \
            written and the exit status is 1. The lineage (base model, sources, counts, figures \
            before and after) is kept in the model's info and printed. See docs/classifier.md.

            Export (--export-pixel-manifest): for each series under --site whose prediction by --base \
            reaches the model's main threshold, one CSV row series_instance_uid,folder,body_part,\
            confidence,model_id: labels for training an external pixel model.
            """
    )

    enum Teacher: String, ExpressibleByArgument, CaseIterable { case pixel }

    @Option(help: "Full training: IDC series table written by Scripts/prepare_idc.py (.data/idc-series.tsv).")
    var data: String?

    @Option(name: .customLong("idc-labels"),
            help: "Full training: trusted labels of IDC kinds of series (shared/data/idc-labels/labels.csv; its reserved-collections.txt must sit beside it and those collections are never read). Replaces the stored BodyPartExamined as label; --data then only maps --exclude-series to their collections.")
    var idcLabels: String?

    @Option(help: "Full training: RadLex playbook table (procedure names with body region) used as extra training examples.")
    var radlex: String?

    @Option(name: .customLong("exclude-series"),
            help: "Full training: a CSV with a series_instance_uid column (an evaluation set's labels): no IDC collection holding one of these series is trained on. Repeatable.")
    var excludeSeries: [String] = []

    @Option(help: "Full training: model family: linear, trees or ensemble.")
    var modelType: ModelType = .ensemble

    @Option(help: "Output model file (.bpmodel).")
    var out: String?

    @Option(help: "Training epochs of the linear model (default: 6 for full training, 10 for fine-tuning).")
    var epochs: Int?

    @Option(help: "Largest wrong-answer rate when choosing the threshold (held-out collections; fine-tuning: only when the thresholds are refitted).")
    var maxWrongRate = 0.01

    @Option(help: "Random seed (training order, augmentation, calibration or validation split).")
    var seed: UInt64 = 7

    @Option(help: "Rules folder holding body-parts.yaml.")
    var rules: String?

    @Option(help: ArgumentHelp("Fine-tuning, export: a folder of the site's DICOM files (repeatable).", valueName: "dir"))
    var site: [String] = []

    @Option(help: ArgumentHelp("Fine-tuning: labels of the series under --site (columns series_instance_uid and body_part or label).",
                               valueName: "csv"))
    var labels: String?

    @Option(name: .customLong("from-review"),
            help: ArgumentHelp("Fine-tuning: take the accepted and relabelled reviews of this audit database as labels.", valueName: "audit"))
    var fromReview: String?

    @Option(help: "Fine-tuning: label the CT series under --site by the pixel check (pixel).")
    var teacher: Teacher?

    @Option(help: "With --teacher pixel: lowest pixel-check confidence taken as a label.")
    var teacherMinConfidence = 0.8

    @Option(help: ArgumentHelp("Fine-tuning: the model to start from and to beat; export: the model that labels (default: the shipped model).",
                               valueName: "model"))
    var base: String?

    @Option(help: "Fine-tuning: share of the site's series (whole studies) held out for validation.")
    var validationShare = 0.3

    @Option(help: "Fine-tuning: initial learning rate of the continued training.")
    var learningRate: Float = 0.5

    @Option(help: "Fine-tuning: pull of every update towards the base model's weights (L2 towards them).")
    var anchor: Float = 0.01

    @Option(help: "Fine-tuning: re-estimate the forest's leaves from the site's series, the old leaf counting as this many series (0: keep the forest).")
    var leafPrior: Float = 5

    @Option(help: "Fine-tuning: classes with at least this many validation series may lose at most 1 point of accuracy.")
    var gateMinClass = 10

    @Option(help: "Fine-tuning: refuse labels that contradict more than this share of the base model's answers (1: no check).")
    var maxLabelDisagreement = 0.1

    @Option(name: .customLong("export-pixel-manifest"),
            help: ArgumentHelp("Write series the model is confident about, for training an external pixel model, to this CSV.",
                               valueName: "csv"))
    var exportPixelManifest: String?

    @OptionGroup(title: "Full training options") var tuning: TrainingTuning

    enum Mode { case full, fineTune, export }

    var mode: Mode {
        if exportPixelManifest != nil { return .export }
        return data != nil || idcLabels != nil ? .full : .fineTune
    }

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if !(0..<1).contains(maxWrongRate) { throw ValidationError("--max-wrong-rate must be in [0, 1)") }
        let fineTuning = !site.isEmpty || labels != nil || fromReview != nil || teacher != nil
        switch mode {
        case .export:
            if data != nil || out != nil || labels != nil || fromReview != nil || teacher != nil {
                throw ValidationError("--export-pixel-manifest takes only --site DIR (and --base, --rules); not --data, --out, --labels, --from-review or --teacher")
            }
            if site.isEmpty { throw ValidationError("--export-pixel-manifest needs --site DIR") }
        case .full:
            if idcLabels == nil && data == nil { throw ValidationError("give --idc-labels CSV or --data FILE") }
            if idcLabels != nil && !excludeSeries.isEmpty && data == nil {
                throw ValidationError("--exclude-series with --idc-labels needs --data IDC.tsv to find the collections holding those series")
            }
            if fineTuning || base != nil {
                throw ValidationError("--data (full training) cannot be combined with --site, --labels, --from-review, --teacher or --base (fine-tuning)")
            }
        case .fineTune:
            if !fineTuning {
                throw ValidationError("give --data FILE (full training), --site DIR with --labels CSV or --teacher pixel, or --from-review AUDIT (fine-tuning), or --export-pixel-manifest CSV --site DIR")
            }
            if radlex != nil { throw ValidationError("--radlex is for full training (--data)") }
            if (labels != nil || teacher != nil) && site.isEmpty { throw ValidationError("--labels and --teacher need --site DIR") }
            if !site.isEmpty && labels == nil && teacher == nil {
                throw ValidationError("--site needs a label source: --labels CSV and/or --teacher pixel")
            }
            if !(0.05...0.9).contains(validationShare) { throw ValidationError("--validation-share must be in [0.05, 0.9]") }
            if !(0...1).contains(teacherMinConfidence) { throw ValidationError("--teacher-min-confidence must be in [0, 1]") }
            if !(learningRate > 0) || anchor < 0 || leafPrior < 0 {
                throw ValidationError("--learning-rate must be > 0, --anchor and --leaf-prior ≥ 0")
            }
            if gateMinClass < 1 { throw ValidationError("--gate-min-class must be at least 1") }
            if !(0...1).contains(maxLabelDisagreement) { throw ValidationError("--max-label-disagreement must be in [0, 1]") }
        }
        if mode != .export {
            guard let out else { throw ValidationError("--out MODEL.bpmodel is required") }
            if !out.hasSuffix(".bpmodel") { throw ValidationError("--out must name a .bpmodel file") }
        }
        try tuning.validate()
    }

    func run() throws {
        switch mode {
        case .full: try trainFull()
        case .fineTune: try fineTune()
        case .export: try exportManifest()
        }
    }

    func trainFull() throws {
        guard let out else { return }
        let (taxonomy, _) = try Self.taxonomy(rules: rules)
        let examples: [TrainingExample], extra: [TrainingExample], unlabelled: [TrainingExample]
        if let idcLabels {
            (examples, extra) = try Self.trustedData(labels: idcLabels, idc: data, radlex: radlex, taxonomy: taxonomy,
                                                     exclude: excludeSeries)
            unlabelled = []
        } else {
            (examples, extra, unlabelled) = try Self.data(idc: data ?? "", radlex: radlex, taxonomy: taxonomy, exclude: excludeSeries,
                                                          keepUnlabelled: tuning.distantSupervision)
        }
        var builder = ModelBuilder()
        builder.unlabelled = unlabelled
        builder.modelType = modelType
        builder.linearTrainer.epochs = epochs ?? 6
        builder.linearTrainer.seed = seed
        builder.seed = seed
        builder.maxWrongRate = maxWrongRate
        tuning.apply(to: &builder)
        if idcLabels != nil {
            // Read by people: nothing to clean, every held-out label is trusted.
            builder.dropRuleConflicts = false
            builder.trustedCalibration = false
        }
        let start = Date()
        var model = builder.build(examples: examples, extra: extra, taxonomy: taxonomy) { Console.status($0 + "\n") }
        model.info["data"] = idcLabels.map { "trusted labels " + URL(fileURLWithPath: $0).lastPathComponent }
            ?? URL(fileURLWithPath: data ?? "").lastPathComponent
        model.info["radlex"] = radlex.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        model.info["trained"] = ISO8601DateFormatter().string(from: Date())
        if !excludeSeries.isEmpty {
            model.info["excludedSeries"] = excludeSeries.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
                + " (no collection holding one of their series was trained on)"
        }
        try Self.save(model, to: out)
        Console.status(String(format: "wrote %@ (%@, %d classes) in %.1f s\n", out, model.modelID, model.classes.count,
                              Date().timeIntervalSince(start)))
        guard builder.calibrationFolds <= 1 else {
            // Trained on every collection: only out-of-fold figures say anything about unseen ones.
            Console.out("out-of-fold predictions of \(builder.calibrationFolds) models, each trained without a fifth of the collections "
                        + "(BodyPartExamined hidden), at the fitted thresholds:")
            Console.out("  noisy labels:   " + (model.info["calibrationFiguresNoisy"] ?? ""))
            Console.out("  trusted labels: " + (model.info["calibrationFiguresTrusted"] ?? ""))
            Console.out("(per-condition figures on unseen collections: bodypart evaluate --idc)")
            Console.flush()
            return
        }
        let (_, held) = ModelBuilder.splitByGroup(examples, share: builder.calibrationShare, seed: builder.seed)
        Console.out("held-out calibration collections (\(Set(held.map(\.group)).count)), used to fit the threshold:")
        for r in Evaluator(taxonomy: taxonomy).evaluate(model: model, examples: held) { Console.out(r.summaryLine) }
        let trusted = zip(held, ModelBuilder.trustedMask(held, taxonomy: taxonomy)).filter(\.1).map(\.0)
        Console.out("trusted part (\(trusted.count) of \(held.count): label not contradicted by the series' own descriptions):")
        for r in Evaluator(taxonomy: taxonomy).evaluate(model: model, examples: trusted) { Console.out(r.summaryLine) }
        Console.flush()
    }

    /// Writes a model; a failure is one line and exit 73.
    static func save(_ model: BodyPartModel, to out: String) throws {
        do { try model.save(to: URL(fileURLWithPath: out)) } catch {
            Console.error("\(out): cannot write the model (\(error.localizedDescription))")
            throw ExitStatus.cannotCreate
        }
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

    /// Reads the trusted labels and the RadLex table (``TrainingSources/trusted(labels:idc:radlex:taxonomy:exclude:)``);
    /// errors become one line and exit 66.
    static func trustedData(labels: String, idc: String?, radlex: String?, taxonomy: Taxonomy, exclude: [String])
        throws -> (labelled: [TrainingExample], extra: [TrainingExample]) {
        do {
            let set = try TrainingSources.trusted(labels: labels, idc: idc, radlex: radlex, taxonomy: taxonomy, exclude: exclude)
            Console.status(set.summary + "\n")
            return (set.examples, set.extra)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.noInput
        }
    }

    /// Reads the IDC table and the RadLex table (``TrainingSources/idc(_:radlex:taxonomy:exclude:keepUnlabelled:)``);
    /// errors become one line and exit 66.
    static func data(idc: String, radlex: String?, taxonomy: Taxonomy, exclude: [String] = [], keepUnlabelled: Bool = false)
        throws -> (labelled: [TrainingExample], extra: [TrainingExample], unlabelled: [TrainingExample]) {
        do {
            let set = try TrainingSources.idc(idc, radlex: radlex, taxonomy: taxonomy, exclude: exclude, keepUnlabelled: keepUnlabelled)
            Console.status(set.summary + "\n")
            return (set.labelled, set.extra, set.unlabelled)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.noInput
        }
    }
}
