import Anatomy

/// The rule baseline the model is compared with: the first class that `Taxonomy.ruleMatch`
/// finds in the description fields, else the normalized BodyPartExamined, else abstain.
public struct RuleBaseline: Sendable {
    /// The taxonomy whose rules are used.
    public let taxonomy: Taxonomy
    /// Fields searched, in order.
    public static let fields = ["SeriesDescription", "ProtocolName", "StudyDescription",
                                "RequestedProcedureDescription", "PerformedProcedureStepDescription"]

    /// Creates the baseline.
    public init(taxonomy: Taxonomy) { self.taxonomy = taxonomy }

    /// The baseline's answer (confidence 1 when answering, 0 when abstaining).
    public func predict(_ series: SeriesMetadata) -> Prediction {
        for field in Self.fields {
            if let text = series[field], let match = taxonomy.ruleMatch(text).first {
                return answer(match, field: field, term: text)
            }
        }
        if let bpe = series["BodyPartExamined"], let term = taxonomy.normalize(bpe).term {
            return answer(term, field: "BodyPartExamined", term: bpe)
        }
        return Prediction(bodyPart: nil, topClass: "UNKNOWN", confidence: 0, abstained: true, alternatives: [],
                          evidence: [], modelID: "rules")
    }

    func answer(_ term: String, field: String, term text: String) -> Prediction {
        Prediction(bodyPart: term, topClass: term, confidence: 1, abstained: false, alternatives: [],
                   evidence: [.init(field: field, term: text, weight: 1)], modelID: "rules")
    }
}
