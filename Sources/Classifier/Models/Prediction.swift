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
    /// What gave the answer.
    public var basis: Basis = .model
    /// Whether the answer is the most probable class itself or a class containing it.
    public var precision: Precision = .exact
    /// The reading of the header text (``FieldReading``): its candidate class, and its pattern
    /// with whether the most probable class agrees (nil: no level names a class unambiguously).
    public var reading: Reading?

    /// A reading's candidate and pattern.
    public struct Reading: Sendable, Hashable, Codable {
        /// The class the header text names.
        public var bodyPart: String
        /// `series/broader/absent/trunk/agree`.
        public var pattern: String
    }

    /// What gave an answer.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// The model's probabilities at its thresholds.
        case model
        /// The stored BodyPartExamined, not contradicted by the header (``StoredTermEvidence``).
        case storedTerm
        /// The series' study (``StudyContext``).
        case study
        /// The header text read level by level (``FieldReading``), in a pattern whose answers
        /// were right often enough on collections the model did not learn from.
        case reading
        /// A dedicated MR receive coil ("32Ch Head"), where no description names a region or the
        /// one named agrees (``CoilVocabulary``); its confidence is stated, not measured.
        case coil
    }

    /// How an answer relates to the most probable class.
    public enum Precision: String, Sendable, Hashable, Codable {
        /// The most probable class (or its equivalent).
        case exact
        /// A class containing it, whose mass with its parts reached the threshold.
        case coarser
    }

    /// Creates a prediction.
    public init(bodyPart: String?, topClass: String, confidence: Double, abstained: Bool,
                alternatives: [Alternative], evidence: [Evidence], modelID: String, basis: Basis = .model,
                precision: Precision = .exact) {
        self.bodyPart = bodyPart
        self.topClass = topClass
        self.confidence = confidence
        self.abstained = abstained
        self.alternatives = alternatives
        self.evidence = evidence
        self.modelID = modelID
        self.basis = basis
        self.precision = precision
    }
}
