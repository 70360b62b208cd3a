import GRDB

/// What the filter decided for a series (one decision per series, applied to
/// every instance of it); stored as its text in the `decision` column of the
/// `decisions` table, so the hash of a row is the same as when it was a string.
public enum DecisionKind: String, Sendable, Hashable, CaseIterable, Codable, DatabaseValueConvertible {
    /// BodyPartExamined was missing (or meaningless) and is filled.
    case filled = "FILLED"
    /// A non-standard value with the right meaning becomes the defined term.
    case normalized = "NORMALIZED"
    /// A valid value contradicted by a very confident prediction is replaced.
    case corrected = "CORRECTED"
    /// The present value agrees with the prediction.
    case confirmed = "CONFIRMED"
    /// The prediction is not confident: no standard attribute changes.
    case abstained = "ABSTAINED"
    /// A contradiction worth a look; no standard attribute changes.
    case flagged = "FLAGGED"
    /// The policy does not act on this series (modality denied…).
    case skipped = "SKIPPED"
}
