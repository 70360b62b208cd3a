import Classifier
import Foundation

extension SeriesDecider {
    /// Revises a metadata decision with a pixel model's opinion (the
    /// cross-check of `pixelCheck` in Rules/policy.yaml):
    ///
    /// - no pixel answer (abstained, failed): the decision stands, with a note;
    /// - both answered and agree (equal, equivalent, or one contains the
    ///   other): the decision stands, source BOTH;
    /// - both answered and disagree, pixel ≥ `thresholds.flag`: FLAGGED (no
    ///   body part written), and the series goes to the review queue;
    /// - the metadata model gave no answer: the pixels decide alone (source
    ///   PIXEL) — a missing or meaningless BodyPartExamined is FILLED at
    ///   ≥ `thresholds.fill`, a valid one agreeing is CONFIRMED, a valid one
    ///   contradicted at ≥ `thresholds.flag` is FLAGGED for review.
    public func crossCheck(_ decision: SeriesDecision, series: SeriesMetadata, pixel: PixelOpinion) -> SeriesDecision {
        var d = decision
        d.pixel = pixel
        guard decision.kind != .skipped else { return decision }
        guard let part = pixel.bodyPart else {
            d.reason += "; pixel check \(pixel.failed ? "failed" : "abstained"): \(pixel.reason ?? "no answer"); metadata decision kept"
            return d
        }
        let said = "pixel check \(part) at \(Self.percent(pixel.confidence))"
        if let p = decision.prediction, !p.abstained, let meta = p.bodyPart {
            if related(meta, part) {
                d.source = .both
                d.reason += "; \(said) agrees"
                return d
            }
            guard pixel.confidence >= policy.flagThreshold else {
                d.reason += "; \(said) disagrees but is below thresholds.flag; metadata decision kept"
                return d
            }
            return flagged(d, series: series, source: .metadata,
                           reason: "metadata predicts \(meta) at \(Self.percent(p.confidence)), \(said): they disagree; nothing changed, flagged for review")
        }
        // The metadata model gave no answer: the pixels decide alone.
        let original = decision.originalBodyPartExamined ?? ""
        guard let term = original.isEmpty ? nil : taxonomy.normalize(original).term else {
            // The pixel check has no calibrated abstention of its own: with
            // `fill: model` it must reach thresholds.flag to fill.
            guard pixel.confidence >= (policy.fillThreshold ?? policy.flagThreshold) else {
                d.reason += "; \(said) is below the fill threshold; nothing filled"
                return d
            }
            d.kind = .filled
            d.newBodyPartExamined = part
            d.regionTerm = part
            d.modificationReason = original.isEmpty ? "COERCE" : "CORRECT"
            d.reason = original.isEmpty
                ? "BodyPartExamined missing; metadata model not confident; filled from the \(said)"
                : "BodyPartExamined '\(original)' names no body part; metadata model not confident; filled from the \(said)"
            d.source = .pixel
            finish(&d, series: series, predicted: part)
            return d
        }
        if related(term, part) {
            if d.kind == .abstained {
                d.kind = .confirmed
                d.reason = "BodyPartExamined \(original) agrees with the \(said) (metadata model not confident)"
            } else {
                d.reason += "; \(said) agrees"
            }
            d.source = .pixel
            finish(&d, series: series, predicted: part)
            return d
        }
        guard pixel.confidence >= policy.flagThreshold else {
            d.reason += "; \(said) contradicts BodyPartExamined \(original) but is below thresholds.flag"
            return d
        }
        return flagged(d, series: series, source: .pixel,
                       reason: "BodyPartExamined \(original) contradicted by the \(said) (metadata model not confident); kept, flagged for review")
    }

    /// The decision made FLAGGED: nothing standard is written but what the
    /// policy fills for any decision (empty descriptions from the protocol or
    /// the original body part — never from a disputed prediction).
    private func flagged(_ decision: SeriesDecision, series: SeriesMetadata, source: PredictionSource, reason: String)
        -> SeriesDecision
    {
        var d = decision
        d.kind = .flagged
        d.reason = reason
        d.newBodyPartExamined = nil
        d.regionTerm = nil
        d.modificationReason = "COERCE"
        d.source = source
        d.disagreement = true
        finish(&d, series: series, predicted: nil)
        return d
    }

    static func percent(_ confidence: Double) -> String { String(format: "%.0f %%", confidence * 100) }
}
