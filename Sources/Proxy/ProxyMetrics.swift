import Audit
import Cleanup
import Foundation
import Prometheus

/// The proxy's Prometheus metrics (`/metrics`). Counters are touched from
/// association and forwarder threads; gauges of the queues are refreshed
/// just before each scrape.
public final class ProxyMetrics: Sendable {
    /// The registry the HTTP endpoint emits.
    public let registry = PrometheusCollectorRegistry()

    let received: Counter
    let storeFailures: Counter
    let rejectedStores: Counter
    let duplicates: Counter
    let associationsAccepted: Counter
    let associationsRejected: Counter
    let pixelChecks: Counter
    let pixelDisagreements: Counter
    let pixelFailures: Counter
    let pixelSkipped: Counter
    let pixelPending: Gauge
    /// Series routed per rule and destination; priors found, matched, moved, failed.
    public let routing: RoutingMetrics

    private let destinationNames: [String]
    private let forwarded: [String: Counter]
    private let failed: [String: Counter]
    private let retried: [String: Counter]
    private let quarantined: [String: Counter]
    private let queueDepth: [String: Gauge]
    private let queueAge: [String: Gauge]
    private let latency: [String: DurationHistogram]
    private let decisions: [String: Counter]

    init(destinations: [Destination], routes: RouteTable? = nil) {
        routing = RoutingMetrics(registry: registry, routes: routes, destinations: destinations)
        received = ProxyMetrics.counter(registry, "bodypart_proxy_received_total", [], "Objects accepted (in the spool, answered Success).")
        storeFailures = ProxyMetrics.counter(registry, "bodypart_proxy_store_failures_total", [], "C-STORE answered Out of Resources (spool full or unwritable).")
        rejectedStores = ProxyMetrics.counter(registry, "bodypart_proxy_store_rejected_total", [], "C-STORE answered Cannot Understand (not a readable dataset).")
        duplicates = ProxyMetrics.counter(registry, "bodypart_proxy_resent_total", [], "Objects whose SOP Instance UID had already arrived (forwarded again).")
        associationsAccepted = ProxyMetrics.counter(registry, "bodypart_proxy_associations_total", [("result", "accepted")],
                                                    "Incoming associations by result.")
        associationsRejected = ProxyMetrics.counter(registry, "bodypart_proxy_associations_total", [("result", "rejected")],
                                                    "Incoming associations by result.")
        pixelChecks = ProxyMetrics.counter(registry, "bodypart_proxy_pixel_checks_total", [], "Series checked against their pixels (after forwarding).")
        pixelDisagreements = ProxyMetrics.counter(registry, "bodypart_proxy_pixel_disagreements_total", [], "Pixel checks that disagreed with the metadata decision (FLAGGED, review opened).")
        pixelFailures = ProxyMetrics.counter(registry, "bodypart_proxy_pixel_failures_total", [], "Pixel checks whose model failed (metadata decision kept).")
        pixelSkipped = ProxyMetrics.counter(registry, "bodypart_proxy_pixel_skipped_total", [], "Series not pixel-checked: their objects would take more than pixel.max_spool_share.")
        pixelPending = ProxyMetrics.gauge(registry, "bodypart_proxy_pixel_pending_series", [], "Series kept for a pixel check not made yet.")
        destinationNames = destinations.map(\.description)
        var forwarded: [String: Counter] = [:], failed: [String: Counter] = [:], retried: [String: Counter] = [:]
        var quarantined: [String: Counter] = [:], depth: [String: Gauge] = [:], age: [String: Gauge] = [:]
        var latency: [String: DurationHistogram] = [:]
        let buckets: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                   .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
                                   .seconds(60), .seconds(300), .seconds(1800), .seconds(3600)]
        for name in destinationNames {
            let label = [("destination", name)]
            forwarded[name] = ProxyMetrics.counter(registry, "bodypart_proxy_forwarded_total", label,
                                                   "Objects the destination confirmed.")
            failed[name] = ProxyMetrics.counter(registry, "bodypart_proxy_forward_failures_total", label,
                                                "Failed sends (association or object refused).")
            retried[name] = ProxyMetrics.counter(registry, "bodypart_proxy_retried_total", label,
                                                 "Sends that were a retry of an earlier failure.")
            quarantined[name] = ProxyMetrics.counter(registry, "bodypart_proxy_quarantined_total", label,
                                                     "Objects moved to quarantine.")
            depth[name] = ProxyMetrics.gauge(registry, "bodypart_proxy_queue_depth", label, "Objects waiting.")
            age[name] = ProxyMetrics.gauge(registry, "bodypart_proxy_queue_oldest_age_seconds", label,
                                           "Age of the oldest waiting object.")
            latency[name] = ProxyMetrics.histogram(registry, "bodypart_proxy_store_to_forward_seconds", label, buckets, "From Success to the sender until the destination confirmed.")
        }
        (self.forwarded, self.failed, self.retried, self.quarantined) = (forwarded, failed, retried, quarantined)
        (queueDepth, queueAge, self.latency) = (depth, age, latency)
        var decisions: [String: Counter] = [:]
        for kind in DecisionKind.allCases {
            decisions[kind.rawValue] = ProxyMetrics.counter(registry, "bodypart_proxy_decisions_total", [("decision", kind.rawValue)],
                                                            "Series decisions made.")
        }
        self.decisions = decisions
    }

    func delivered(_ destination: Destination, after latency: Duration, retry: Bool) {
        forwarded[destination.description]?.increment()
        self.latency[destination.description]?.record(latency)
        if retry { retried[destination.description]?.increment() }
    }

    func sendFailed(_ destination: Destination) { failed[destination.description]?.increment() }
    func quarantined(_ destination: Destination) { quarantined[destination.description]?.increment() }
    func decided(_ kind: DecisionKind) { decisions[kind.rawValue]?.increment() }
    func routed(_ route: RoutingDecision) { routing.routed(route) }

    func queue(_ destination: Destination, depth: Int, oldestAge: Double) {
        queueDepth[destination.description]?.set(Double(depth))
        queueAge[destination.description]?.set(oldestAge)
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static func counter(_ registry: PrometheusCollectorRegistry, _ name: String, _ labels: [(String, String)],
                                _ help: String) -> Counter {
        registry.makeCounter(descriptor: descriptor(name, help), labels: labels)
    }

    private static func gauge(_ registry: PrometheusCollectorRegistry, _ name: String, _ labels: [(String, String)],
                              _ help: String) -> Gauge {
        registry.makeGauge(descriptor: descriptor(name, help), labels: labels)
    }

    private static func histogram(_ registry: PrometheusCollectorRegistry, _ name: String, _ labels: [(String, String)],
                                  _ buckets: [Duration], _ help: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: descriptor(name, help), labels: labels, buckets: buckets)
    }

    /// The text exposition of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
