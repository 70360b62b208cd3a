import Audit
import Foundation

/// The audit rows a series decision makes: its decision row, the review it
/// opens when the metadata and pixel answers disagree, and the error of a
/// failed pixel model. `clean` (CleanRun) and the proxy's pixel worker both
/// build them here, so that a disagreement looks the same in the audit
/// whichever found it.
extension SeriesDecision {
    /// The decision row: the prediction's evidence, the hanging category,
    /// description fills and the pixel opinion (`pixel.*`, `source`). Its
    /// predicted body part and confidence are those of the answer the
    /// decision rests on (the pixel model's for source PIXEL).
    public func auditRecord(runID: Int64, studyInstanceUID: String, seriesInstanceUID: String, modality: String?, files: Int,
                            patientID: String? = nil, accessionNumber: String? = nil, at: Date = Date()) -> DecisionRecord {
        var evidence: [String: String] = [:]
        if let p = prediction {
            evidence["topClass"] = p.topClass
            evidence["evidence"] = p.evidence.map { "\($0.field):\($0.term)" }.joined(separator: ", ")
            evidence["alternatives"] = p.alternatives.map { "\($0.bodyPart) \(String(format: "%.3f", $0.confidence))" }
                .joined(separator: ", ")
        }
        if let category = hangingCategory { evidence["hangingCategory"] = category }
        for (k, v) in descriptions { evidence["fill." + k] = v }
        evidence.merge(pixelEvidence) { a, _ in a }
        let byPixel = source == .pixel
        let predicted = byPixel ? pixel?.bodyPart : prediction?.bodyPart
        let confidence = byPixel ? pixel?.confidence : prediction?.confidence
        let json = (try? JSONSerialization.data(withJSONObject: evidence, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return DecisionRecord(
            id: nil, runID: runID, studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID,
            modality: modality, predictedBodyPart: predicted, confidence: confidence ?? 0, decision: kind,
            reason: reason, evidenceJSON: json, currentBodyPartExamined: originalBodyPartExamined,
            newBodyPartExamined: newBodyPartExamined, files: files, createdAt: at, patientID: patientID,
            accessionNumber: accessionNumber)
    }

    /// The pixel opinion as decision evidence (`pixel.*` keys and `source`);
    /// empty when the series was not cross-checked.
    public var pixelEvidence: [String: String] {
        guard let pixel else { return [:] }
        var evidence = ["source": (source ?? .metadata).rawValue, "pixel.model": pixel.model,
                        "pixel.bodyPart": pixel.bodyPart ?? "-", "pixel.confidence": String(format: "%.3f", pixel.confidence)]
        if let reason = pixel.reason { evidence["pixel.reason"] = reason }
        if let detail = pixel.detail { evidence["pixel.detail"] = detail }
        return evidence
    }

    /// The review-queue entry this decision opens: both answers and the
    /// reason; nil unless the metadata and pixel answers disagree.
    public func reviewRecord(runID: Int64, studyInstanceUID: String, seriesInstanceUID: String, modality: String?,
                             at: Date = Date()) -> ReviewRecord? {
        guard disagreement == true, let pixel else { return nil }
        let metadata = prediction.flatMap { $0.abstained ? nil : $0 }
        return ReviewRecord(
            seriesInstanceUID: seriesInstanceUID, studyInstanceUID: studyInstanceUID, runID: runID, modality: modality,
            currentBodyPartExamined: originalBodyPartExamined, metadataAnswer: metadata?.bodyPart,
            metadataConfidence: metadata?.confidence, pixelAnswer: pixel.bodyPart, pixelConfidence: pixel.confidence,
            pixelModel: pixel.model, note: reason, at: at)
    }

    /// The error row (kind `pixel-model`) of a pixel model that failed on
    /// the series; nil when it did not fail. `path` names the input.
    public func pixelFailureRecord(runID: Int64, path: String, seriesInstanceUID: String, at: Date = Date()) -> ErrorRecord? {
        guard let pixel, pixel.failed else { return nil }
        return ErrorRecord(id: nil, runID: runID, path: path, kind: "pixel-model",
                           message: "\(pixel.reason ?? pixel.model) (series \(seriesInstanceUID)); metadata decision kept",
                           createdAt: at)
    }
}
