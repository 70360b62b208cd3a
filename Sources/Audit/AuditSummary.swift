/// Counts over the decisions, changes and errors of one run or of all runs.
public struct AuditSummary: Sendable, Hashable, Codable {
    /// One cell of the old → new BodyPartExamined matrix.
    public struct Transition: Sendable, Hashable, Codable {
        /// BodyPartExamined before (nil: it was missing).
        public var from: String?
        /// BodyPartExamined written.
        public var to: String
        /// Number of series.
        public var count: Int
    }

    /// The run summarized, or nil for all runs.
    public var runID: Int64?
    /// The runs covered, oldest first.
    public var runs: [RunRecord]
    /// Number of series decided (per run; a series' newest decision row counts).
    public var series: Int
    /// Number of instances the decisions covered.
    public var files: Int
    /// Number of attribute changes.
    public var changes: Int
    /// Number of errors.
    public var errors: Int
    /// Series per run id.
    public var byRun: [Int64: Int]
    /// Series per decision (every known decision present, zero when unused).
    public var byDecision: [String: Int]
    /// Series per modality (`-` when missing).
    public var byModality: [String: Int]
    /// Series per predicted body part (`-` when the model did not answer).
    public var byPredictedBodyPart: [String: Int]
    /// Series per confidence decile: index 0 is [0, 0.1), index 9 is [0.9, 1].
    public var confidenceHistogram: [Int]
    /// Old → new BodyPartExamined for series where it was written, most frequent first.
    public var transitions: [Transition]

    /// Keys of a count table, most frequent first, then by name.
    public static func ranked(_ counts: [String: Int]) -> [(key: String, count: Int)] {
        counts.map { (key: $0.key, count: $0.value) }.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
    }

    /// The decile bucket of a confidence value.
    static func bucket(_ confidence: Double) -> Int {
        guard confidence.isFinite else { return 0 }
        return min(9, max(0, Int((confidence * 10).rounded(.down))))
    }
}
