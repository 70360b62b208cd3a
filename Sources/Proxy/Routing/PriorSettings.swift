import Foundation

/// Matched priors of a route (`priors:` under a rule; off unless given):
/// when a study is routed, earlier studies of the same patient and body
/// region are fetched from `archive` to the route's destinations.
public struct PriorSettings: Sendable, Hashable {
    /// The archive to query and move from: the name of a declared destination.
    public var archive: String
    /// At most this many priors per new study (newest first).
    public var maxStudies = 3
    /// Oldest prior taken, in seconds before the new study (nil: any age).
    public var maxAge: Double?
    /// Modalities a prior must have one of (empty: any).
    public var modalities: [String] = []
    /// Failed attempts (query or move) after which a fetch is given up: its
    /// priors are audited as failed (`prior-failed`, status `abandoned`) and
    /// not retried again. Each retry waits as the queues' `retry:` says.
    public var maxAttempts = PriorSettings.defaultMaxAttempts
    /// `max_attempts` when not given.
    public static let defaultMaxAttempts = 5

    public init(archive: String) { self.archive = archive }

    /// Parses an age such as `5y`, `18m` (months), `6w`, `30d`.
    static func age(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let count = Double(trimmed.dropLast()), count > 0 else { return nil }
        switch unit {
        case "y": return count * 365.25 * 86400
        case "m": return count * 30.44 * 86400
        case "w": return count * 7 * 86400
        case "d": return count * 86400
        default: return nil
        }
    }
}
