import Audit
import Foundation

extension CleanRun {
    /// What the pixel cross-check of a run adds to the audit.
    struct PixelAudit {
        var errors: [ErrorRecord] = []
        var reviews: [ReviewRecord] = []
    }

    /// Cross-checks a series against its pixels when the policy's
    /// `pixelCheck` selects it; returns the (possibly revised) decision.
    /// A failed pixel model is audited as an error (once per job: not again
    /// on a resume), a disagreement opens a review.
    func crossChecked(_ decision: SeriesDecision, series: ScannedSeries, decider: SeriesDecider, checker: PixelCrossCheck,
                      runID: Int64, firstTime: Bool, audit: inout PixelAudit, summary: inout CleanSummary) -> SeriesDecision {
        guard options.policy.selectsPixelCheck(modality: series.modality, decision: decision,
                                               seriesInstanceUID: series.seriesInstanceUID) else { return decision }
        let opinion = checker.opinion(files: series.files, seriesInstanceUID: series.seriesInstanceUID)
        let revised = decider.crossCheck(decision, series: series.metadata, pixel: opinion)
        summary.pixelChecks += 1
        if opinion.failed {
            summary.pixelErrors += 1
            if firstTime {
                audit.errors.append(ErrorRecord(
                    id: nil, runID: runID, path: series.files.first ?? series.seriesInstanceUID, kind: "pixel-model",
                    message: "\(opinion.reason ?? opinion.model) (series \(series.seriesInstanceUID)); metadata decision kept",
                    createdAt: Date()))
            }
        }
        if revised.disagreement == true {
            summary.reviewsOpened += 1
            let metadata = revised.prediction.flatMap { $0.abstained ? nil : $0 }
            audit.reviews.append(ReviewRecord(
                seriesInstanceUID: series.seriesInstanceUID, studyInstanceUID: series.studyInstanceUID, runID: runID,
                modality: series.modality, currentBodyPartExamined: revised.originalBodyPartExamined,
                metadataAnswer: metadata?.bodyPart, metadataConfidence: metadata?.confidence,
                pixelAnswer: opinion.bodyPart, pixelConfidence: opinion.confidence, pixelModel: opinion.model,
                note: revised.reason))
        }
        return revised
    }

    /// The pixel opinion as decision evidence (`pixel.*` keys).
    static func pixelEvidence(_ decision: SeriesDecision) -> [String: String] {
        guard let pixel = decision.pixel else { return [:] }
        var evidence = ["source": (decision.source ?? .metadata).rawValue, "pixel.model": pixel.model,
                        "pixel.bodyPart": pixel.bodyPart ?? "-", "pixel.confidence": String(format: "%.3f", pixel.confidence)]
        if let reason = pixel.reason { evidence["pixel.reason"] = reason }
        if let detail = pixel.detail { evidence["pixel.detail"] = detail }
        return evidence
    }
}
