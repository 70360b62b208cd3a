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
            if firstTime, let error = revised.pixelFailureRecord(runID: runID, path: series.files.first ?? series.seriesInstanceUID,
                                                                  seriesInstanceUID: series.seriesInstanceUID) {
                audit.errors.append(error)
            }
        }
        if let review = revised.reviewRecord(runID: runID, studyInstanceUID: series.studyInstanceUID,
                                             seriesInstanceUID: series.seriesInstanceUID, modality: series.modality) {
            summary.reviewsOpened += 1
            audit.reviews.append(review)
        }
        return revised
    }
}
