import Foundation

/// Series per second of features + prediction on one thread, in thread CPU time (other
/// processes on the machine do not count): with a new predictor (rule-match cache cold: every
/// distinct description text is matched once), with one that has seen the texts (warm, as in a
/// stream where a site's descriptions repeat), and with evidence.
public enum SpeedMeasurement {
    /// One timed pass.
    public struct Figures: Sendable {
        public var series: Int
        public var seconds: Double
        public var answered: Int
        /// Evidence items per prediction (0: none).
        public var evidence: Int
        public var warm: Bool
        public var perSecond: Double { Double(series) / max(seconds, 1e-9) }
    }

    /// The three passes over `series`.
    public static func run(_ model: BodyPartModel, series: [SeriesMetadata]) -> [Figures] {
        var out: [Figures] = []
        for (evidence, warm) in [(0, false), (0, true), (5, false)] {
            var predictor = model.makePredictor()
            predictor.evidenceCount = evidence
            if warm { for s in series { _ = predictor.predict(s) } }
            var answered = 0
            let start = threadCPU()
            for s in series where predictor.predict(s).bodyPart != nil { answered += 1 }
            out.append(Figures(series: series.count, seconds: threadCPU() - start, answered: answered, evidence: evidence, warm: warm))
        }
        return out
    }

    static func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
