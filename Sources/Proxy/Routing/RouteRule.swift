import Anatomy
import Audit
import Cleanup
import DicomCore
import Foundation

/// A condition on one header attribute, named by its DICOM keyword.
public struct AttributeCondition: Sendable, Hashable {
    /// What the attribute's value must satisfy.
    public enum Test: Sendable, Hashable {
        /// The trimmed value equals this text (case-sensitive, as DICOM compares CS values).
        case equals(String)
        /// The trimmed value is one of these.
        case oneOf([String])
        /// The trimmed value matches this regular expression somewhere (anchor it with ^…$ for all of it).
        case regex(String)
        /// The attribute is there with a non-empty value.
        case present
        /// The attribute is missing or empty.
        case absent
    }

    /// DICOM keyword (`StationName`, `InstitutionName`, `Modality`).
    public var keyword: String
    public var test: Test

    public init(keyword: String, test: Test) {
        self.keyword = keyword
        self.test = test
    }

    /// Whether `dataset` satisfies the condition, and a sentence saying why.
    func evaluate(_ dataset: DataSet) -> (Bool, String) {
        let value = dataset.elements.first { $0.keyword == keyword }?.text.flatMap { $0.isEmpty ? nil : $0 }
        let shown = value.map { "'\($0)'" } ?? "absent"
        switch test {
        case .present: return (value != nil, "\(keyword) \(value == nil ? "absent" : "present (\(shown))")")
        case .absent: return (value == nil, "\(keyword) \(shown)")
        case .equals(let wanted):
            return (value == wanted, "\(keyword) \(shown) \(value == wanted ? "=" : "≠") '\(wanted)'")
        case .oneOf(let list):
            let ok = value.map(list.contains) ?? false
            return (ok, "\(keyword) \(shown) \(ok ? "in" : "not in") [\(list.joined(separator: ", "))]")
        case .regex(let pattern):
            let ok = value.map { $0.range(of: pattern, options: .regularExpression) != nil } ?? false
            return (ok, "\(keyword) \(shown) \(ok ? "matches" : "does not match") /\(pattern)/")
        }
    }
}

/// One routing rule: conditions on the series decision and on header
/// attributes; a series that meets them all goes to `destinations`.
public struct RouteRule: Sendable, Hashable {
    /// The rule's name (metrics, audit, `proxy route`).
    public var name: String
    /// Predicted body parts (defined terms); a prediction matches a term
    /// when it is the same, equivalent (HEAD ~ BRAIN) or contained in it
    /// (HEADNECK takes HEAD). Empty: any prediction, or none.
    public var bodyParts: [String] = []
    /// Decision kinds taken (empty: any).
    public var decisions: [DecisionKind] = []
    /// Lowest calibrated confidence of the prediction (nil: any).
    public var minConfidence: Double?
    /// Header conditions, all of which must hold.
    public var attributes: [AttributeCondition] = []
    /// Names of declared destinations (AE title or AE@host:port).
    public var destinations: [String] = []
    /// True: a series this rule takes is not offered to the rules after it.
    public var stop = false
    /// Matched priors for the destinations of this rule (nil: off).
    public var priors: PriorSettings?
    /// Line of the rule in the configuration file (error messages).
    public var line: Int?

    public init(name: String) { self.name = name }

    /// Whether the rule takes a series with `decision` whose first instance's
    /// header is `dataset`, and the reasons, one per condition.
    func evaluate(_ decision: SeriesDecision?, dataset: DataSet, taxonomy: Taxonomy) -> (matched: Bool, reasons: [String]) {
        var reasons: [String] = []
        var matched = true
        func note(_ ok: Bool, _ text: String) {
            reasons.append((ok ? "✓ " : "✗ ") + text)
            if !ok { matched = false }
        }
        let predicted = RouteRule.predictedBodyPart(decision)
        if !bodyParts.isEmpty {
            let hit = predicted.map { p in bodyParts.first { RouteRule.covers($0, p, taxonomy) } } ?? nil
            let shown = predicted ?? "none (no confident prediction)"
            note(hit != nil, "body part \(shown) \(hit != nil ? "within \(hit!)" : "not within [\(bodyParts.joined(separator: ", "))]")")
        }
        if !decisions.isEmpty {
            let kind = decision?.kind
            let ok = kind.map(decisions.contains) ?? false
            note(ok, "decision \(kind?.rawValue ?? "none") \(ok ? "in" : "not in") [\(decisions.map(\.rawValue).joined(separator: ", "))]")
        }
        if let minConfidence {
            let confidence = decision?.prediction?.confidence
            let ok = (confidence ?? -1) >= minConfidence
            note(ok, "confidence \(confidence.map { String(format: "%.3f", $0) } ?? "none") \(ok ? "≥" : "<") \(minConfidence)")
        }
        for condition in attributes {
            let (ok, text) = condition.evaluate(dataset)
            note(ok, text)
        }
        if reasons.isEmpty { reasons.append("✓ no conditions") }
        return (matched, reasons)
    }

    /// The body part a series is routed by: the model's answer; when the model
    /// did not answer, the value the decision writes (a stored value normalized,
    /// or filled from the pixels); nil otherwise (abstained, skipped). A stored
    /// BodyPartExamined the model contradicts is never used: a wrong one must
    /// not send a series to the wrong application.
    static func predictedBodyPart(_ decision: SeriesDecision?) -> String? {
        guard let decision else { return nil }
        if let prediction = decision.prediction, !prediction.abstained, let part = prediction.bodyPart { return part }
        guard [.normalized, .filled, .corrected].contains(decision.kind) else { return nil }
        return decision.newBodyPartExamined
    }

    /// True when a rule naming `term` takes a series predicted `predicted`:
    /// the same class or an equivalent one (HEAD ~ BRAIN, LUNG ~ CHEST), or
    /// one the term's class contains (HEADNECK ⊃ HEAD).
    static func covers(_ term: String, _ predicted: String, _ taxonomy: Taxonomy) -> Bool {
        taxonomy.areEquivalent(term, predicted) || taxonomy.contains(term, predicted)
    }
}
