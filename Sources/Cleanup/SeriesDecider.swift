import Anatomy
import Audit
import Classifier
import Foundation

/// Turns a prediction and the series' original Body Part Examined into a
/// decision, by the policy (see DESIGN.md "Policy" and Rules/policy.yaml).
public struct SeriesDecider: Sendable {
    public let policy: Policy
    public let taxonomy: Taxonomy
    public let hanging: HangingRules

    public init(policy: Policy, taxonomy: Taxonomy, hanging: HangingRules) {
        self.policy = policy
        self.taxonomy = taxonomy
        self.hanging = hanging
    }

    /// Decides for `series` given the model's `prediction` (nil when the
    /// series is not classified, e.g. a denied modality).
    public func decide(series: SeriesMetadata, prediction: Prediction?) -> SeriesDecision {
        let modality = series["Modality"]
        let original = series["BodyPartExamined"]
        if let reason = policy.skipReason(modality: modality) {
            return SeriesDecision(kind: .skipped, reason: reason, prediction: nil, originalBodyPartExamined: original,
                                  modificationReason: "COERCE")
        }
        guard let prediction else {
            return SeriesDecision(kind: .abstained, reason: "no prediction", prediction: nil,
                                  originalBodyPartExamined: original, modificationReason: "COERCE")
        }
        var decision = classify(original: original, prediction: prediction)
        decision.prediction = prediction
        decision.originalBodyPartExamined = original
        finish(&decision, series: series, predicted: prediction.abstained ? nil : prediction.bodyPart)
        return decision
    }

    /// Sets the hanging category and the description fills from the body
    /// part the decision ends with: the value written, else the original's
    /// term, else `predicted`.
    func finish(_ decision: inout SeriesDecision, series: SeriesMetadata, predicted: String?) {
        let hangingPart = decision.newBodyPartExamined.map { taxonomy.normalize($0).term ?? $0 }
            ?? decision.originalBodyPartExamined.flatMap { taxonomy.normalize($0).term }
            ?? predicted
        decision.hangingCategory = hangingPart.map {
            hanging.category(modality: series["Modality"], bodyPart: $0, view: series["ViewPosition"])
        }
        decision.descriptions = descriptionFills(series: series, bodyPart: hangingPart, decision: decision.kind)
    }

    private func classify(original: String?, prediction p: Prediction) -> SeriesDecision {
        let confident = !p.abstained ? p.bodyPart : nil
        func make(_ kind: DecisionKind, _ reason: String, new: String? = nil, region: String? = nil,
                  why: String = "COERCE") -> SeriesDecision {
            SeriesDecision(kind: kind, reason: reason, prediction: p, originalBodyPartExamined: original,
                           newBodyPartExamined: new, regionTerm: region ?? new, modificationReason: why)
        }
        let percent = String(format: "%.0f %%", p.confidence * 100)
        // What may fill: the model's own answer (`fill: model`), or its top
        // class at the policy's fill threshold.
        let fill: String? = policy.fillThreshold.map { p.confidence >= $0 ? p.topClass : nil } ?? confident
        guard let original, !original.isEmpty else {
            if let part = fill {
                return make(.filled, "BodyPartExamined missing; predicted \(part) at \(percent)", new: part)
            }
            return make(.abstained, "BodyPartExamined missing; prediction \(p.topClass) at \(percent) is not confident enough to fill")
        }
        let normalized = taxonomy.normalize(original)
        guard let term = normalized.term else {
            if let part = fill {
                return make(.filled, "BodyPartExamined '\(original)' names no body part; predicted \(part) at \(percent)",
                            new: part, why: "CORRECT")
            }
            return make(.abstained, "BodyPartExamined '\(original)' names no body part; prediction not confident")
        }
        let matched = normalized.matched ?? term
        // A defined term written as such (organ terms included) is standard.
        let isStandard = matched == original && taxonomy.term(original) != nil
        let agrees = confident.map { related($0, term) } ?? false
        // A stored term naming only a part of what the series shows (THYROID on a skull-to-thigh
        // PET/CT predicted WHOLEBODY) is not confirmed by it: it is too narrow, and contradicted.
        let tooNarrow = confident.map { taxonomy.contains($0, term) && !taxonomy.areEquivalent($0, term) } ?? false
        let contradicts = confident != nil && (!agrees || tooNarrow)
        if !isStandard && policy.normalize && !contradicts {
            return make(.normalized, "non-standard BodyPartExamined '\(original)' is the defined term \(matched)",
                        new: matched, region: matched)
        }
        if !contradicts {
            if agrees { return make(.confirmed, "BodyPartExamined \(original) agrees with the prediction \(confident!) at \(percent)") }
            return make(.abstained, "kept BodyPartExamined \(original); prediction \(p.topClass) at \(percent) not confident")
        }
        let part = confident!
        let how = tooNarrow ? "names only a part of" : "contradicted by"
        if policy.contradicted == .correct && p.confidence >= policy.correctThreshold {
            return make(.corrected, "BodyPartExamined \(original) \(how) \(part) at \(percent)", new: part, why: "CORRECT")
        }
        if p.confidence >= policy.flagThreshold {
            return make(.flagged, "BodyPartExamined \(original) \(how) \(part) at \(percent); kept, flagged for review")
        }
        return make(.abstained, "kept BodyPartExamined \(original); contradicting prediction \(part) at \(percent) too weak")
    }

    /// Same region, equivalent (HEAD~BRAIN, organ~region) or one contains the
    /// other (CHEST within CHESTABDPELVIS). A stored term broader than the prediction is
    /// coarse but true; one narrower is too narrow (`classify`).
    func related(_ a: String, _ b: String) -> Bool {
        a == b || taxonomy.areEquivalent(a, b) || taxonomy.contains(a, b) || taxonomy.contains(b, a)
    }

    /// Values for empty Study/Series Description, from the policy's sources.
    func descriptionFills(series: SeriesMetadata, bodyPart: String?, decision: DecisionKind) -> [String: String] {
        guard policy.fillEmptyDescriptions, decision != .skipped else { return [:] }
        var fills: [String: String] = [:]
        for (keyword, sources) in [("StudyDescription", policy.studyDescriptionSources),
                                   ("SeriesDescription", policy.seriesDescriptionSources)]
        where series[keyword] == nil && policy.mayChange(keyword) {
            for source in sources {
                let value: String?
                if source == "prediction" {
                    value = bodyPart.map { "\(series["Modality"] ?? "OT") \($0)" }
                } else {
                    value = series[source]
                }
                if let value, !value.isEmpty {
                    fills[keyword] = String(value.prefix(64))
                    break
                }
            }
        }
        return fills
    }
}
