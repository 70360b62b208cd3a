import Foundation
import Anatomy

/// Quality figures of one predictor on one labelled set under one BodyPartExamined condition.
///
/// "Correct" counts HEAD/BRAIN-equivalent answers (`Taxonomy.areEquivalent`); the `strict`
/// figures count only identical terms. Series labelled UNKNOWN only enter `unknownAbstention`.
public struct EvaluationReport: Sendable, Codable {
    /// Precision, recall and support of one class.
    public struct ClassFigures: Sendable, Codable {
        public var precision: Double
        public var recall: Double
        public var support: Int
    }

    /// What was evaluated ("model hidden", "rules as-is").
    public var name: String
    /// Labelled (non-UNKNOWN) series.
    public var labelled: Int
    /// Series labelled UNKNOWN.
    public var unknown: Int
    /// Share of labelled series answered.
    public var coverage: Double
    /// Share of answers that are correct.
    public var accuracyAnswered: Double
    /// Share of labelled series answered correctly.
    public var accuracyAll: Double
    /// Share of labelled series answered wrongly.
    public var wrongRate: Double
    /// Share of labelled series answered with another region: neither equivalent to the label
    /// nor one containing or contained in it (CHEST for PELVIS, not HEAD for HEADNECK). Part of
    /// `wrongRate`, which counts the granularity disagreements too: the harmful kind of error.
    public var otherRegionWrongRate: Double
    /// `accuracyAnswered` counting only identical terms.
    public var strictAccuracyAnswered: Double
    /// `wrongRate` counting equivalent answers as wrong.
    public var strictWrongRate: Double
    /// Share of UNKNOWN-labelled series on which the predictor abstained.
    public var unknownAbstention: Double
    /// Expected calibration error of the top-class confidence (10 bins).
    public var expectedCalibrationError: Double
    /// The trade-off curve: the largest coverage any confidence threshold reaches on this set
    /// with at most 1 %, 2 % and 5 % of labelled series answered wrongly (an oracle threshold:
    /// how good the ranking is, not what the shipped threshold gives).
    public var coverageAtWrong: [String: Double]
    /// Per-class figures keyed by label.
    public var perClass: [String: ClassFigures]
    /// Confusion counts: label → answer ("ABSTAIN" when abstaining) → count.
    public var confusion: [String: [String: Int]]

    /// Computes the figures from labels and predictions in the same order.
    public init(name: String, labels: [String], predictions: [Prediction], taxonomy: Taxonomy) {
        self.name = name
        var labelled = 0, unknown = 0, answered = 0, correct = 0, strict = 0, unknownAbstained = 0, otherRegion = 0
        var confidences: [Double] = [], hits: [Bool] = []
        var confusion: [String: [String: Int]] = [:]
        var tp: [String: Int] = [:], predicted: [String: Int] = [:], support: [String: Int] = [:]
        for (label, p) in zip(labels, predictions) {
            if label == "UNKNOWN" {
                unknown += 1
                if p.abstained { unknownAbstained += 1 }
                continue
            }
            labelled += 1
            support[label, default: 0] += 1
            confidences.append(p.confidence)
            hits.append(taxonomy.areEquivalent(p.topClass, label))
            let answer = p.bodyPart ?? "ABSTAIN"
            confusion[label, default: [:]][answer, default: 0] += 1
            guard let body = p.bodyPart else { continue }
            answered += 1
            predicted[body, default: 0] += 1
            if taxonomy.areEquivalent(body, label) { correct += 1; tp[label, default: 0] += 1 }
            else if !taxonomy.contains(body, label) && !taxonomy.contains(label, body) { otherRegion += 1 }
            if body == label { strict += 1 }
        }
        func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
        self.labelled = labelled
        self.unknown = unknown
        coverage = ratio(answered, labelled)
        accuracyAnswered = ratio(correct, answered)
        accuracyAll = ratio(correct, labelled)
        wrongRate = ratio(answered - correct, labelled)
        otherRegionWrongRate = ratio(otherRegion, labelled)
        strictAccuracyAnswered = ratio(strict, answered)
        strictWrongRate = ratio(answered - strict, labelled)
        unknownAbstention = ratio(unknownAbstained, unknown)
        expectedCalibrationError = Calibration.expectedCalibrationError(confidences: confidences, correct: hits)
        coverageAtWrong = Self.curve(confidences: confidences, correct: hits, limits: [0.01, 0.02, 0.05])
        var perClass: [String: ClassFigures] = [:]
        for (label, n) in support {
            perClass[label] = ClassFigures(precision: ratio(tp[label] ?? 0, predicted[label] ?? 0),
                                           recall: ratio(tp[label] ?? 0, n), support: n)
        }
        self.perClass = perClass
        self.confusion = confusion
    }

    /// Largest coverage with wrong answers ≤ each limit (ties in confidence answered together).
    static func curve(confidences: [Double], correct: [Bool], limits: [Double]) -> [String: Double] {
        let n = confidences.count
        var out: [String: Double] = [:]
        guard n > 0 else { return out }
        let order = confidences.indices.sorted { confidences[$0] > confidences[$1] }
        for limit in limits {
            var wrong = 0, best = 0, i = 0
            while i < n {
                var j = i
                while j < n && confidences[order[j]] == confidences[order[i]] { if !correct[order[j]] { wrong += 1 }; j += 1 }
                if Double(wrong) / Double(n) > limit { break }
                best = j
                i = j
            }
            out[String(format: "%.0f%%", limit * 100)] = Double(best) / Double(n)
        }
        return out
    }

    /// One summary line: `name  n=..  coverage ..  acc(answered) ..  wrong ..`.
    public var summaryLine: String {
        func pct(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
        return "\(name.padding(toLength: 22, withPad: " ", startingAt: 0)) n=\(labelled)  coverage \(pct(coverage))  "
            + "acc(answered) \(pct(accuracyAnswered)) [strict \(pct(strictAccuracyAnswered))]  acc(all) \(pct(accuracyAll))  "
            + "wrong \(pct(wrongRate)) [other region \(pct(otherRegionWrongRate))]  unknown-abstain \(unknown > 0 ? pct(unknownAbstention) : "   n/a")  "
            + String(format: "ECE %.3f", expectedCalibrationError)
            + "  coverage at wrong ≤1/2/5% " + ["1%", "2%", "5%"].map { pct(coverageAtWrong[$0] ?? 0) }.joined(separator: "/")
    }
}
