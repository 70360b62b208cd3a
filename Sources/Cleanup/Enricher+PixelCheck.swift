import Classifier
import DicomCore

extension Enricher {
    /// The series decision revised with a pixel model's opinion, as `clean`
    /// revises it (`SeriesDecider.crossCheck`), the series described by one
    /// instance's header (original values, as `decide(firstInstance:)` reads it).
    public func crossCheck(_ decision: SeriesDecision, firstInstance header: DicomHeader, pixel: PixelOpinion) -> SeriesDecision {
        let metadata = SeriesMetadata(attributes: OriginalValues.originalAttributes(of: header))
        return decider.crossCheck(decision, series: metadata, pixel: pixel)
    }
}
