import Anatomy
import Foundation

/// Evaluates a model beside the rule baseline under several BodyPartExamined conditions.
public struct Evaluator: Sendable {
    /// Taxonomy for equivalence, rules and replacement terms.
    public let taxonomy: Taxonomy

    /// Creates an evaluator.
    public init(taxonomy: Taxonomy) { self.taxonomy = taxonomy }

    /// Predictions of the model and of the rules for every example under `condition`.
    public func predictions(model: BodyPartModel, examples: [TrainingExample], condition: BPECondition)
        -> (model: [Prediction], rules: [Prediction])
    {
        var predictor = model.makePredictor()
        predictor.evidenceCount = 0
        let rules = RuleBaseline(taxonomy: taxonomy)
        var m: [Prediction] = [], r: [Prediction] = []
        m.reserveCapacity(examples.count)
        for (i, e) in examples.enumerated() {
            let seen = condition.apply(e.metadata, label: e.label, index: i, terms: model.classes)
            m.append(predictor.predict(seen))
            r.append(rules.predict(seen))
        }
        return (m, r)
    }

    /// Model and rule reports for each condition.
    public func evaluate(model: BodyPartModel, examples: [TrainingExample],
                         conditions: [BPECondition] = BPECondition.standard) -> [EvaluationReport] {
        var out: [EvaluationReport] = []
        let labels = examples.map(\.label)
        for condition in conditions {
            let (m, r) = predictions(model: model, examples: examples, condition: condition)
            out.append(EvaluationReport(name: "model \(condition)", labels: labels, predictions: m, taxonomy: taxonomy))
            out.append(EvaluationReport(name: "rules \(condition)", labels: labels, predictions: r, taxonomy: taxonomy))
        }
        return out
    }
}

/// Grouped k-fold cross-validation: whole groups (IDC collections) go to one fold, so every
/// fold measures collections the model has never seen.
public struct GroupedCrossValidation: Sendable {
    /// Number of folds.
    public var folds = 5
    /// How each fold's model is built.
    public var builder = ModelBuilder()

    /// Creates a cross-validation with `folds` folds.
    public init(folds: Int = 5, builder: ModelBuilder = ModelBuilder()) {
        self.folds = folds
        self.builder = builder
    }

    /// Fold of each group: largest groups first, each to the currently smallest fold.
    public func assign(_ examples: [TrainingExample]) -> [String: Int] {
        var sizes: [String: Int] = [:]
        for e in examples { sizes[e.group, default: 0] += 1 }
        var load = [Int](repeating: 0, count: folds)
        var out: [String: Int] = [:]
        for (g, n) in sizes.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            let f = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            out[g] = f
            load[f] += n
        }
        return out
    }

    /// Runs all folds and returns pooled model and rule reports per condition.
    public func run(examples: [TrainingExample], extra: [TrainingExample], taxonomy: Taxonomy,
                    conditions: [BPECondition] = BPECondition.standard,
                    progress: (String) -> Void = { _ in }) -> [EvaluationReport] {
        runDetailed(examples: examples, extra: extra, taxonomy: taxonomy, conditions: conditions, progress: progress).reports
    }

    /// Runs all folds; returns the pooled reports, the test examples in evaluation order and the
    /// model's and the rules' predictions for them per condition.
    /// `apart` are tested by the model of their group's fold but never trained on (phantoms
    /// whose header names a region); they are appended to `tested` and the predictions, after
    /// the examples, and left out of the reports.
    public func runDetailed(examples: [TrainingExample], extra: [TrainingExample], taxonomy: Taxonomy,
                            conditions: [BPECondition] = BPECondition.standard, apart: [TrainingExample] = [],
                            progress: (String) -> Void = { _ in })
        -> (reports: [EvaluationReport], tested: [TrainingExample], predictions: [[Prediction]], rules: [[Prediction]])
    {
        var tested: [TrainingExample] = []
        var apartTested: [TrainingExample] = []
        var apartModel = [[Prediction]](repeating: [], count: conditions.count), apartRules = apartModel
        let fold = assign(examples)
        let evaluator = Evaluator(taxonomy: taxonomy)
        var labels: [String] = []
        var model = [[Prediction]](repeating: [], count: conditions.count)
        var rules = model
        for f in 0..<folds {
            let test = examples.filter { fold[$0.group] == f }
            let train = examples.filter { fold[$0.group] != f }
            progress("fold \(f + 1)/\(folds): train \(train.count), test \(test.count) "
                     + "(\(Set(test.map(\.group)).count) groups)")
            var b = builder
            b.unlabelled = builder.unlabelled.filter { fold[$0.group] != f }
            let m = b.build(examples: train, extra: extra, taxonomy: taxonomy, progress: progress)
            labels += test.map(\.label)
            tested += test
            let testApart = apart.filter { fold[$0.group] == f }
            apartTested += testApart
            for (c, condition) in conditions.enumerated() {
                let (pm, pr) = evaluator.predictions(model: m, examples: test, condition: condition)
                model[c] += pm
                rules[c] += pr
                let (am, ar) = evaluator.predictions(model: m, examples: testApart, condition: condition)
                apartModel[c] += am
                apartRules[c] += ar
            }
            let fr = EvaluationReport(name: "fold \(f + 1) hidden", labels: test.map(\.label),
                                      predictions: evaluator.predictions(model: m, examples: test, condition: .hidden).model,
                                      taxonomy: taxonomy)
            progress(fr.summaryLine)
        }
        var out: [EvaluationReport] = []
        for (c, condition) in conditions.enumerated() {
            out.append(EvaluationReport(name: "model \(condition)", labels: labels, predictions: model[c], taxonomy: taxonomy))
            out.append(EvaluationReport(name: "rules \(condition)", labels: labels, predictions: rules[c], taxonomy: taxonomy))
        }
        return (out, tested + apartTested, zip(model, apartModel).map { $0 + $1 }, zip(rules, apartRules).map { $0 + $1 })
    }
}
