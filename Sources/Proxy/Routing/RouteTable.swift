import Anatomy
import Cleanup
import DicomCore
import Foundation

/// The proxy's routes (`routes:`): ordered rules, then the default route
/// for a series no rule took. Without `routes:` there is no table and every
/// object goes to every destination.
public struct RouteTable: Sendable, Hashable {
    /// The name the default route has in metrics, audit and `proxy route`.
    public static let defaultName = "default"

    /// The rules, in the order they are offered a series.
    public var rules: [RouteRule]
    /// Destinations of the default route (empty: a series no rule took goes nowhere).
    public var defaultDestinations: [String]
    /// Line of each `default` reference (error messages).
    public var defaultLine: Int?

    public init(rules: [RouteRule], defaultDestinations: [String], defaultLine: Int? = nil) {
        self.rules = rules
        self.defaultDestinations = defaultDestinations
        self.defaultLine = defaultLine
    }

    /// Routes a series: every rule in order until one with `stop: true`
    /// takes it; the union of the destinations of the rules that took it, or
    /// the default route's when none did. `decision` is nil when the series
    /// could not be decided (its header attributes are still tested).
    public func route(_ decision: SeriesDecision?, dataset: DataSet, taxonomy: Taxonomy,
                      destinations declared: [Destination]) -> RoutingDecision {
        var taken: [String] = []
        var targets: [String] = []
        var trace: [RoutingDecision.RuleTrace] = []
        for rule in rules {
            let (matched, reasons) = rule.evaluate(decision, dataset: dataset, taxonomy: taxonomy)
            trace.append(.init(rule: rule.name, matched: matched, reasons: reasons))
            guard matched else { continue }
            taken.append(rule.name)
            for name in rule.destinations {
                if let destination = RouteTable.resolve(name, in: declared), !targets.contains(destination.description) {
                    targets.append(destination.description)
                }
            }
            if rule.stop { break }
        }
        if taken.isEmpty {
            taken = [RouteTable.defaultName]
            targets = defaultDestinations.compactMap { RouteTable.resolve($0, in: declared)?.description }
        }
        return RoutingDecision(rules: taken, destinations: targets, trace: trace)
    }

    /// The declared destination a route names: by AE title, or `AE@host:port`.
    public static func resolve(_ name: String, in declared: [Destination]) -> Destination? {
        declared.first { $0.description == name } ?? declared.first { $0.aeTitle == name }
    }

    /// Errors for names that are not declared destinations (key and line).
    func validate(destinations declared: [Destination], archives: [Destination], file: String) throws(ProxyError) {
        func at(_ line: Int?) -> String { line.map { "\(file):\($0)" } ?? file }
        for rule in rules {
            for name in rule.destinations where RouteTable.resolve(name, in: declared) == nil {
                throw .configuration("\(at(rule.line)): routes.\(rule.name).destinations: '\(name)' is not a declared destination "
                                     + "(\(declared.map(\.aeTitle).joined(separator: ", ")))")
            }
            if let priors = rule.priors, RouteTable.resolve(priors.archive, in: archives) == nil {
                throw .configuration("\(at(rule.line)): routes.\(rule.name).priors.archive: '\(priors.archive)' is not declared under archives:")
            }
        }
        for name in defaultDestinations where RouteTable.resolve(name, in: declared) == nil {
            throw .configuration("\(at(defaultLine)): routes.default: '\(name)' is not a declared destination "
                                 + "(\(declared.map(\.aeTitle).joined(separator: ", ")))")
        }
    }

    /// Errors for body parts the taxonomy does not know (key and line).
    public func validate(taxonomy: Taxonomy, file: String) throws(ProxyError) {
        for rule in rules {
            for term in rule.bodyParts where taxonomy.term(term) == nil {
                throw .configuration("\(rule.line.map { "\(file):\($0)" } ?? file): routes.\(rule.name).bodyPart: '\(term)' is not a "
                                     + "defined term of Rules/body-parts.yaml")
            }
        }
    }

    /// The routes as `proxy --check` prints them, one line per rule.
    public var summary: [String] {
        var lines = rules.map { rule -> String in
            var conditions: [String] = []
            if !rule.bodyParts.isEmpty { conditions.append("bodyPart in [\(rule.bodyParts.joined(separator: ", "))]") }
            if !rule.decisions.isEmpty { conditions.append("decision in [\(rule.decisions.map(\.rawValue).joined(separator: ", "))]") }
            if let c = rule.minConfidence { conditions.append("confidence ≥ \(c)") }
            for a in rule.attributes { conditions.append(RouteTable.describe(a)) }
            let when = conditions.isEmpty ? "always" : conditions.joined(separator: " and ")
            let priors = rule.priors.map { " (priors from \($0.archive), ≤ \($0.maxStudies), given up after \($0.maxAttempts) failed attempts)" } ?? ""
            return "route \(rule.name): \(when) → \(rule.destinations.joined(separator: ", "))\(rule.stop ? " (stop)" : "")\(priors)"
        }
        lines.append("route default: what no rule took → \(defaultDestinations.isEmpty ? "nowhere" : defaultDestinations.joined(separator: ", "))")
        return lines
    }

    static func describe(_ condition: AttributeCondition) -> String {
        switch condition.test {
        case .equals(let v): return "\(condition.keyword) = '\(v)'"
        case .oneOf(let l): return "\(condition.keyword) in [\(l.joined(separator: ", "))]"
        case .regex(let r): return "\(condition.keyword) ~ /\(r)/"
        case .present: return "\(condition.keyword) present"
        case .absent: return "\(condition.keyword) absent"
        }
    }
}
