import Anatomy
import Foundation

/// Figures on the trusted labels of IDC kinds (``TrustedLabels``), in the scorer's strict sense:
/// an answer is right only when it is the label or equivalent to it (HEAD for BRAIN); a coarser
/// region is wrong. Wrong answers are split into coarser-but-containing, finer, and another region.
/// Each kind counted once, and weighted by its number of IDC series.
public struct TrustedEvaluation: Sendable, Codable {
    /// One line of figures.
    public struct Figures: Sendable, Codable {
        public var name: String
        /// Labelled (not UNKNOWN) weight, and UNKNOWN weight.
        public var labelled = 0.0, unknown = 0.0
        public var answered = 0.0, right = 0.0
        /// Wrong answers naming a class containing the label, contained in it, or another region.
        public var coarser = 0.0, finer = 0.0, otherRegion = 0.0
        /// Right answers given as a coarser class (`precision: coarser`).
        public var rightCoarser = 0.0
        /// UNKNOWN kinds left unanswered.
        public var unknownAbstained = 0.0
        /// Reliability: expected calibration error of the confidence of the most probable class
        /// (or the answer) against its correctness, over the labelled kinds (10 bins; unweighted).
        public var calibrationError = 0.0

        public var wrong: Double { answered - right }

        /// `name: coverage / acc. answered / wrong [coarser, finer, other region] · UNKNOWN abstained`.
        public var line: String {
            func pct(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "%.1f", 100 * a / b) : "n/a" }
            return "\(name): coverage \(pct(answered, labelled)) % / acc. answered \(pct(right, answered)) % / wrong "
                + "\(pct(wrong, labelled)) % [coarser \(pct(coarser, labelled)), finer \(pct(finer, labelled)), other region "
                + "\(pct(otherRegion, labelled))] · UNKNOWN abstained \(pct(unknownAbstained, unknown)) % "
                + String(format: "(n = %.0f labelled, %.0f UNKNOWN) · ECE %.3f", labelled, unknown, calibrationError)
        }
    }

    /// Figures of `predictions` for `examples` (same order); `weighted` weighs each kind by its
    /// IDC series.
    public static func figures(_ name: String, examples: [TrainingExample], predictions: [Prediction], taxonomy: Taxonomy,
                               weighted: Bool = false) -> Figures {
        var f = Figures(name: name)
        var confidences: [Double] = [], hits: [Bool] = []
        for (e, p) in zip(examples, predictions) where e.label != "UNKNOWN" {
            confidences.append(p.confidence)
            hits.append(taxonomy.areEquivalent(p.bodyPart ?? p.topClass, e.label))
        }
        f.calibrationError = Calibration.expectedCalibrationError(confidences: confidences, correct: hits)
        for (e, p) in zip(examples, predictions) {
            let w = weighted ? Double(e.seriesCount) : 1
            let answer = p.abstained ? nil : p.bodyPart
            if e.label == "UNKNOWN" {
                f.unknown += w
                if answer == nil { f.unknownAbstained += w }
                continue
            }
            f.labelled += w
            guard let answer else { continue }
            f.answered += w
            if taxonomy.areEquivalent(answer, e.label) {
                f.right += w
                if p.precision == .coarser { f.rightCoarser += w }
            } else if taxonomy.contains(answer, e.label) {
                f.coarser += w
            } else if taxonomy.contains(e.label, answer) {
                f.finer += w
            } else {
                f.otherRegion += w
            }
        }
        return f
    }

    /// The standard breakdown for one set of predictions: all kinds, `text = yes` kinds, and
    /// phantoms whose header names a region (scored apart), each once and weighted by series.
    public static func breakdown(_ name: String, examples: [TrainingExample], predictions: [Prediction], phantoms: [TrainingExample] = [],
                                 phantomPredictions: [Prediction] = [], taxonomy: Taxonomy) -> [Figures] {
        let yes = examples.indices.filter { examples[$0].textSupport == "yes" || examples[$0].label == "UNKNOWN" }
        var out = [
            figures(name + ", each kind once", examples: examples, predictions: predictions, taxonomy: taxonomy),
            figures(name + ", weighted by series", examples: examples, predictions: predictions, taxonomy: taxonomy, weighted: true),
            figures(name + ", text = yes kinds", examples: yes.map { examples[$0] }, predictions: yes.map { predictions[$0] },
                    taxonomy: taxonomy),
        ]
        if !phantoms.isEmpty {
            out.append(figures(name + ", phantoms whose header names a region", examples: phantoms, predictions: phantomPredictions,
                               taxonomy: taxonomy))
        }
        return out
    }
}
