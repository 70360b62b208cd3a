import Audit
import Cleanup
import DicomCore
import DicomIO
import Foundation

extension Forwarder {
    /// With `routes:`, whether `entry` goes to this destination. Its series is
    /// decided and routed on the first instance any forwarder handles (the
    /// decision and the route are audited then, once); an object whose series'
    /// route leaves this destination out has its link in this destination's
    /// queue removed and is not sent. A series whose first instance cannot be
    /// read goes by the default route. Without `routes:`, always true.
    func isRouted(_ entry: SpoolEntry, object: DicomObject, path: String) -> Bool {
        guard let table = context.configuration.routes else { return true }
        var route: RoutingDecision?
        if let (record, isNew) = try? context.decisions.record(series: entry.seriesInstanceUID, firstInstance: path) {
            if isNew { announce(record, header: object.header) }
            route = record.route
        }
        let destinations = route?.destinations
            ?? table.defaultDestinations.compactMap { RouteTable.resolve($0, in: context.configuration.destinations)?.description }
        if destinations.contains(destination.description) { return true }
        context.spool.remove(entry, for: destination)
        condition.lock()
        queue.removeAll { $0.sequence == entry.sequence }
        retries[entry.sequence] = nil
        known.remove(entry.sequence)
        condition.unlock()
        return false
    }

    /// The audit rows and metrics of a newly decided and routed series:
    /// its decision, one `route` row per destination (or one saying it goes
    /// nowhere), and the priors to fetch.
    private func announce(_ record: SeriesRecord, header: DicomHeader) {
        auditDecision(record, header: header)
        guard let route = record.route else { return }
        let study = header.dataset.string(.studyInstanceUID) ?? ""
        let series = header.dataset.string(.seriesInstanceUID) ?? ""
        let because = route.trace.filter(\.matched).map { "\($0.rule): " + $0.reasons.joined(separator: "; ") }
        let why = because.isEmpty ? "no rule took it" : because.joined(separator: " | ")
        let rule = route.rules.joined(separator: ",")
        var rows: [RoutingRecord] = route.destinations.map {
            RoutingRecord(runID: context.audit.runID, kind: "route", studyInstanceUID: study, seriesInstanceUID: series,
                          rule: rule, destination: $0, detail: why)
        }
        if rows.isEmpty {
            rows = [RoutingRecord(runID: context.audit.runID, kind: "route", studyInstanceUID: study, seriesInstanceUID: series,
                                  rule: rule, destination: nil, detail: why + "; no destination")]
        }
        context.audit.enqueue(routings: rows)
        context.metrics.routed(route)
        context.priors?.routed(record, route: route, header: header)
    }

    /// Counts a delivered object under its series' route (the console's objects per route).
    func countRouted(_ entry: SpoolEntry) {
        guard context.configuration.routes != nil, let route = context.decisions.known(series: entry.seriesInstanceUID)?.route else { return }
        context.metrics.routing.forwarded(route, to: destination)
    }
}
