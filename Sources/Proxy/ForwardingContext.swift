import Audit
import Cleanup
import Foundation
import Logging

/// What every forwarder shares: configuration, spool, decisions, the
/// enricher, the audit writer, metrics and the logger.
struct ForwardingContext: Sendable {
    let configuration: ProxyConfiguration
    let spool: Spool
    let decisions: SeriesDecisions
    let enricher: Enricher
    let audit: AuditWriter
    let metrics: ProxyMetrics
    let logger: Logger
    /// Fetches matched priors of routed studies (nil: no route has `priors:`).
    var priors: PriorFetcher?
}
