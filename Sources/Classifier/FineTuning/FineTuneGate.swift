import Foundation

/// The acceptance test of a fine-tuned model against the model it started from, on the same
/// validation series (``FineTuner``). For every BodyPartExamined condition compared, the new
/// model must not answer more series wrongly, must not answer fewer correctly, must not answer
/// more UNKNOWN-labelled series, and no class with at least `minClassSeries` validation series
/// may lose more than `maxClassDrop` of its accuracy (correct answers over its series). With
/// `requireGain`, it must also do strictly better somewhere (more correct or fewer wrong
/// answers): a model that only equals the current one is not worth replacing it.
public struct FineTuneGate: Sendable {
    /// Classes with fewer validation series are judged only through the overall counts.
    public var minClassSeries = 10
    /// Largest per-class accuracy loss allowed (0.01 = one point).
    public var maxClassDrop = 0.01
    /// Refuse a model that is nowhere better.
    public var requireGain = true
    /// Largest per-class accuracy loss allowed on the reference examples (forgetting check):
    /// looser than `maxClassDrop`, since there a class has a few dozen near-identical names and
    /// one flipped name is already 2–5 points.
    public var maxForgettingDrop = 0.05

    /// The outcome: accepted, or the reasons for refusing; and what improved.
    public struct Verdict: Sendable {
        /// True when the new model may replace the base model.
        public var accepted: Bool
        /// Why it was refused (empty when accepted).
        public var refusals: [String]
        /// What it does better (per condition).
        public var gains: [String]
    }

    /// Counts behind the rates of a report.
    struct Counts {
        var correct: Int, wrong: Int, unknownAnswered: Int
        init(_ r: EvaluationReport) {
            let n = Double(r.labelled)
            correct = Int((r.accuracyAll * n).rounded())
            wrong = Int((r.wrongRate * n).rounded())
            unknownAnswered = Int(((1 - r.unknownAbstention) * Double(r.unknown)).rounded())
        }
    }

    /// Creates a gate with default settings.
    public init() {}

    /// Judges `new` against `base`: reports of the same series under the same conditions, in the
    /// same order (one pair per condition; the pair's name says which).
    public func judge(base: [EvaluationReport], new: [EvaluationReport]) -> Verdict {
        var refusals: [String] = [], gains: [String] = []
        for (b, n) in zip(base, new) {
            let name = n.name
            let cb = Counts(b), cn = Counts(n)
            if cn.wrong > cb.wrong {
                refusals.append("\(name): \(cn.wrong) wrong answers of \(n.labelled) validation series, base model \(cb.wrong)")
            }
            if cn.correct < cb.correct {
                refusals.append("\(name): \(cn.correct) correct answers of \(n.labelled), base model \(cb.correct)")
            }
            if cn.unknownAnswered > cb.unknownAnswered {
                refusals.append("\(name): answers \(cn.unknownAnswered) of \(n.unknown) UNKNOWN-labelled series, base model \(cb.unknownAnswered)")
            }
            for (label, fb) in b.perClass.sorted(by: { $0.key < $1.key }) where fb.support >= minClassSeries {
                let fn = n.perClass[label]?.recall ?? 0
                if fn < fb.recall - maxClassDrop - 1e-9 {
                    refusals.append(String(format: "%@: class %@ (%d series) accuracy %.1f%%, base model %.1f%% (more than %.0f point lost)",
                                           name, label, fb.support, 100 * fn, 100 * fb.recall, 100 * maxClassDrop))
                }
            }
            if cn.correct > cb.correct { gains.append("\(name): \(cn.correct) correct answers, base model \(cb.correct)") }
            if cn.wrong < cb.wrong { gains.append("\(name): \(cn.wrong) wrong answers, base model \(cb.wrong)") }
        }
        if requireGain && gains.isEmpty && refusals.isEmpty {
            refusals.append("no gain: the new model answers no more series correctly and no fewer wrongly than the base model")
        }
        return Verdict(accepted: refusals.isEmpty, refusals: refusals, gains: gains)
    }

    /// The forgetting check on reference examples (the taxonomy's own term names): no class with
    /// at least `minClassSeries` examples may lose more than `maxForgettingDrop` of its accuracy,
    /// and the overall correct count may not fall by more than `maxClassDrop` of the examples.
    public func forgetting(base: EvaluationReport, new: EvaluationReport) -> [String] {
        var refusals: [String] = []
        let cb = Counts(base), cn = Counts(new)
        if Double(cb.correct - cn.correct) > maxClassDrop * Double(max(base.labelled, 1)) + 1e-9 {
            refusals.append("\(new.name): \(cn.correct) of \(new.labelled) reference examples correct, base model \(cb.correct)")
        }
        for (label, fb) in base.perClass.sorted(by: { $0.key < $1.key }) where fb.support >= minClassSeries {
            let fn = new.perClass[label]?.recall ?? 0
            if fn < fb.recall - maxForgettingDrop - 1e-9 {
                refusals.append(String(format: "%@: class %@ (%d examples) accuracy %.1f%%, base model %.1f%%",
                                       new.name, label, fb.support, 100 * fn, 100 * fb.recall))
            }
        }
        return refusals
    }
}
