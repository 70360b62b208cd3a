import Foundation

/// Where a series goes and why: made once, on the series decision, kept in
/// the spool with it (`SPOOL/series/UID.json`), so every instance of the
/// series, also after a restart, takes the same route.
public struct RoutingDecision: Codable, Sendable, Hashable {
    /// Names of the rules that took the series, in order (`default` when none did).
    public var rules: [String]
    /// The destinations (`AE@host:port`), each once, in rule order.
    public var destinations: [String]
    /// Per rule offered: its name, whether it matched, and one line per condition.
    public var trace: [RuleTrace]

    /// One rule's verdict on the series.
    public struct RuleTrace: Codable, Sendable, Hashable {
        public var rule: String
        public var matched: Bool
        public var reasons: [String]
    }

    /// True when no rule took the series and the default route did.
    public var isDefault: Bool { rules == [RouteTable.defaultName] }

    /// Whether objects of the series go to `destination`.
    public func includes(_ destination: Destination) -> Bool { destinations.contains(destination.description) }
}
