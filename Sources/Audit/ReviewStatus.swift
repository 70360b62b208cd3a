import GRDB

/// Where a series stands in the review queue (the `status` column of the
/// `reviews` table, stored as its text): opened by a disagreement, then
/// settled by a reviewer; the newest row is the current state.
public enum ReviewStatus: String, Codable, Sendable, Hashable, CaseIterable, DatabaseValueConvertible {
    /// Waiting for a reviewer (also a series put back in the queue).
    case open
    /// The pixel answer was accepted.
    case accepted
    /// The pixel answer was rejected: the metadata (or original) value stands.
    case rejected
    /// A reviewer named another body part.
    case relabelled
}
