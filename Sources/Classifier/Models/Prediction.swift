/// The classifier's answer for one series.
public struct Prediction: Sendable, Hashable, Codable {
    /// A runner-up class with its calibrated probability.
    public struct Alternative: Sendable, Hashable, Codable {
        /// Defined term of the class.
        public var bodyPart: String
        /// Calibrated probability.
        public var confidence: Double
    }

    /// One field and term that weighed most for the answer.
    public struct Evidence: Sendable, Hashable, Codable {
        /// DICOM keyword or derived field name (`SeriesDescription`, `orientation`).
        public var field: String
        /// The normalized word or value.
        public var term: String
        /// Its contribution to the top class against the runner-up (logit units).
        public var weight: Double
    }

    /// The predicted defined term, or nil when the model abstains.
    public var bodyPart: String?
    /// The most probable class, even when abstaining.
    public var topClass: String
    /// Calibrated probability of `topClass`.
    public var confidence: Double
    /// True when the confidence is below the model's abstention threshold.
    public var abstained: Bool
    /// The next two classes with their calibrated probabilities.
    public var alternatives: [Alternative]
    /// The fields and terms that weighed most.
    public var evidence: [Evidence]
    /// Identifier of the model that answered.
    public var modelID: String

    /// Creates a prediction.
    public init(bodyPart: String?, topClass: String, confidence: Double, abstained: Bool,
                alternatives: [Alternative], evidence: [Evidence], modelID: String) {
        self.bodyPart = bodyPart
        self.topClass = topClass
        self.confidence = confidence
        self.abstained = abstained
        self.alternatives = alternatives
        self.evidence = evidence
        self.modelID = modelID
    }
}
