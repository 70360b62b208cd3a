import Foundation

/// Chooses which reading patterns (``FieldReading``) may answer, from out-of-fold predictions:
/// series of collections the model under test was not trained on, each seen with its
/// BodyPartExamined hidden and as stored.
///
/// Only series the model leaves open count (the model's own answers come first). Per pattern, the
/// share of open series whose candidate is right; a pattern answers when that share, smoothed
/// toward the wrong side (one wrong answer more than seen), reaches `minAccuracy` and the
/// pattern has been seen `minCount` times. Patterns are taken best first while every answer
/// given so far (the model's and the patterns') stays within `maxWrongRate` of all series.
/// The confidence of a pattern's answer is its smoothed accuracy.
public struct ReadingFit: Sendable {
    /// One out-of-fold observation.
    public struct Row: Sendable {
        /// The reading's pattern with the model's agreement (nil: no reading).
        public var pattern: String?
        /// Whether the reading's candidate equals the label (or an equivalent).
        public var candidateRight: Bool
        /// Whether the model answered the series itself.
        public var modelAnswered: Bool
        /// Whether the model's answer was right (when it answered).
        public var modelRight: Bool
        /// Whether the series is labelled (UNKNOWN rows count as wrong when answered).
        public var labelled: Bool

        /// Creates a row.
        public init(pattern: String?, candidateRight: Bool, modelAnswered: Bool, modelRight: Bool, labelled: Bool) {
            self.pattern = pattern
            self.candidateRight = candidateRight
            self.modelAnswered = modelAnswered
            self.modelRight = modelRight
            self.labelled = labelled
        }
    }

    /// A pattern's out-of-fold figures.
    public struct PatternFigures: Sendable {
        public var pattern: String
        public var seen = 0, right = 0
        /// Smoothed accuracy: right / (seen + 1).
        public var smoothed: Double { Double(right) / Double(seen + 1) }
    }

    public var minAccuracy = 0.97
    public var minCount = 8
    public var maxWrongRate = 0.02

    /// Creates a fit with the default budget.
    public init() {}

    /// The accepted patterns with their confidence, and every pattern's figures (best first).
    public func fit(_ rows: [Row]) -> (accepted: [String: Double], figures: [PatternFigures]) {
        var per: [String: PatternFigures] = [:]
        for r in rows where !r.modelAnswered {
            guard let p = r.pattern else { continue }
            per[p, default: PatternFigures(pattern: p)].seen += 1
            if r.candidateRight && r.labelled { per[p]!.right += 1 }
        }
        let sorted = per.values.sorted { $0.smoothed != $1.smoothed ? $0.smoothed > $1.smoothed : $0.pattern < $1.pattern }
        let n = Double(max(rows.count, 1))
        var wrong = Double(rows.filter { $0.modelAnswered && !($0.modelRight && $0.labelled) }.count)
        var accepted: [String: Double] = [:]
        for f in sorted where f.seen >= minCount && f.smoothed >= minAccuracy {
            let w = Double(f.seen - f.right)
            guard (wrong + w) / n <= maxWrongRate else { break }
            wrong += w
            accepted[f.pattern] = f.smoothed
        }
        return (accepted, sorted)
    }
}
