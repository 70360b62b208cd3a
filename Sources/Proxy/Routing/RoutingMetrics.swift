import Foundation
import Prometheus
import Synchronization

/// Routing and prior metrics (`/metrics`, `proxy status`, the console):
/// series routed per rule and destination, priors found, matched, moved
/// and failed, and the prior fetches waiting for a retry.
public final class RoutingMetrics: Sendable {
    private let routed: [String: Counter]
    private let objects: [String: Counter]
    private let counts = Mutex<[String: Int]>([:])
    let priorsFound: Counter
    let priorsMatched: Counter
    let priorsMoved: Counter
    let priorsFailed: Counter
    let priorsAbandoned: Counter
    let priorsRetrying: Gauge
    private let table: RouteTable?
    private let destinations: [Destination]

    init(registry: PrometheusCollectorRegistry, routes: RouteTable?, destinations: [Destination]) {
        table = routes
        self.destinations = destinations
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        var routed: [String: Counter] = [:]
        var objects: [String: Counter] = [:]
        if let routes {
            let pairs = routes.rules.flatMap { rule in rule.destinations.map { (rule.name, $0) } }
                + routes.defaultDestinations.map { (RouteTable.defaultName, $0) }
            for (rule, name) in pairs {
                guard let destination = RouteTable.resolve(name, in: destinations)?.description else { continue }
                routed[rule + "\u{1F}" + destination] = registry.makeCounter(
                    descriptor: descriptor("bodypart_proxy_routed_series_total", "Series routed, per rule and destination."),
                    labels: [("route", rule), ("destination", destination)])
                objects[rule + "\u{1F}" + destination] = registry.makeCounter(
                    descriptor: descriptor("bodypart_proxy_routed_objects_total", "Objects forwarded, per rule and destination."),
                    labels: [("route", rule), ("destination", destination)])
            }
        }
        self.routed = routed
        self.objects = objects
        func counter(_ name: String, _ help: String) -> Counter { registry.makeCounter(descriptor: descriptor(name, help)) }
        priorsFound = counter("bodypart_proxy_priors_found_total", "Prior studies the archive returned (C-FIND).")
        priorsMatched = counter("bodypart_proxy_priors_matched_total", "Prior studies whose region matches the new study's.")
        priorsMoved = counter("bodypart_proxy_priors_moved_total", "Prior studies moved to a destination (C-MOVE succeeded).")
        priorsFailed = counter("bodypart_proxy_priors_failed_total", "Prior queries or moves that failed (retried with backoff).")
        priorsAbandoned = counter(
            "bodypart_proxy_priors_abandoned_total", "Prior fetches given up after priors.max_attempts failed attempts (not retried).")
        priorsRetrying = registry.makeGauge(descriptor: descriptor("bodypart_proxy_priors_retrying", "Prior fetches waiting for a retry."))
    }

    /// Counts a newly routed series under each rule that took it, per destination of that rule.
    func routed(_ route: RoutingDecision) {
        for rule in route.rules {
            let names = rule == RouteTable.defaultName
                ? table?.defaultDestinations ?? [] : table?.rules.first { $0.name == rule }?.destinations ?? []
            for name in names {
                guard let destination = RouteTable.resolve(name, in: destinations)?.description else { continue }
                let key = rule + "\u{1F}" + destination
                routed[key]?.increment()
                counts.withLock { $0[key, default: 0] += 1 }
            }
        }
    }

    /// Counts an object `destination` confirmed under each rule of its series' route that names it.
    func forwarded(_ route: RoutingDecision, to destination: Destination) {
        for rule in route.rules { objects[rule + "\u{1F}" + destination.description]?.increment() }
    }

    /// Series routed since the start, per (rule, destination), in rule order.
    public var routedCounts: [(rule: String, destination: String, series: Int)] {
        let snapshot = counts.withLock { $0 }
        guard let table else { return [] }
        let pairs = table.rules.flatMap { rule in rule.destinations.map { (rule.name, $0) } }
            + table.defaultDestinations.map { (RouteTable.defaultName, $0) }
        return pairs.compactMap { rule, name in
            guard let destination = RouteTable.resolve(name, in: destinations)?.description else { return nil }
            return (rule, destination, snapshot[rule + "\u{1F}" + destination] ?? 0)
        }
    }

    /// Prior counts since the start (found, matched, moved, failed).
    public let priorCounts = Mutex<(found: Int, matched: Int, moved: Int, failed: Int)>((0, 0, 0, 0))

    func prior(found: Int = 0, matched: Int = 0, moved: Int = 0, failed: Int = 0) {
        if found > 0 { priorsFound.increment(by: Int64(found)) }
        if matched > 0 { priorsMatched.increment(by: Int64(matched)) }
        if moved > 0 { priorsMoved.increment(by: Int64(moved)) }
        if failed > 0 { priorsFailed.increment(by: Int64(failed)) }
        priorCounts.withLock { $0 = ($0.found + found, $0.matched + matched, $0.moved + moved, $0.failed + failed) }
    }
}
