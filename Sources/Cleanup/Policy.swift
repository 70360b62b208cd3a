import Foundation

/// The written policy: what the filter may change, and when
/// (`Rules/policy.yaml`; every key is documented there).
public struct Policy: Sendable, Hashable {
    /// `enforce` changes standard attributes; `shadow` writes only the
    /// private block and the audit.
    public enum Mode: String, Sendable, Hashable { case enforce, shadow }
    /// What to do with a valid value a confident prediction contradicts.
    public enum Contradicted: String, Sendable, Hashable { case correct, flag }

    public var mode: Mode = .enforce
    /// Minimum confidence to fill; nil (`fill: model` in the file) uses the
    /// model's own abstention threshold, calibrated for ≤ 1 % wrong answers.
    public var fillThreshold: Double? = nil
    public var correctThreshold = 0.97
    public var flagThreshold = 0.80
    public var contradicted: Contradicted = .correct
    public var normalize = true
    /// Keywords of the standard attributes that may be changed.
    public var changeable: Set<String> = ["BodyPartExamined", "AnatomicRegionSequence", "StudyDescription", "SeriesDescription"]
    public var fillEmptyDescriptions = true
    public var studyDescriptionSources = ["RequestedProcedureDescription", "PerformedProcedureStepDescription", "prediction"]
    public var seriesDescriptionSources = ["ProtocolName", "prediction"]
    public var allowModalities: Set<String> = []
    public var denyModalities: Set<String> = ["SR", "PR", "KO", "SEG", "RTSTRUCT", "RTPLAN", "RTDOSE", "RTRECORD", "REG",
                                              "FID", "DOC", "ECG", "HD", "AU", "PLAN"]
    public var privateTags = true
    public var modifyingSystem = "BODYPART"
    /// Which CT series `clean` cross-checks against their pixels.
    public var pixelCheck: PixelCheckMode = .lowConfidence
    /// An external pixel model used instead of the built-in pixel check.
    public var pixelModel: PixelModel?
    /// When the proxy defers pixel checks; `clean` ignores it.
    public var quietHours: QuietHours?
    /// SHA-256 (hex) of the policy text it was read from; "default" for built-in defaults.
    public var hash = "default"

    public init() {}

    /// True when the filter may change this standard attribute.
    public func mayChange(_ keyword: String) -> Bool {
        mode == .enforce && changeable.contains(keyword)
    }

    /// Nil when the modality is acted on, else the reason it is skipped.
    public func skipReason(modality: String?) -> String? {
        let value = modality ?? ""
        if denyModalities.contains(value) { return "modality \(value) is denied by the policy" }
        if !allowModalities.isEmpty && !allowModalities.contains(value) {
            return "modality \(value.isEmpty ? "(none)" : value) is not in the policy's allow list"
        }
        return nil
    }
}
