import Audit
import Foundation

extension ConsolePages {
    /// The overview's routing section: per rule and destination the series routed and the objects
    /// forwarded since the start, then the priors found, matched, moved, failed and waiting for a retry.
    /// Read from `/metrics` like the rest of the page. Nothing without `routes:`.
    func routesSection(_ page: inout HTMLPage, metrics: [String: Double]) {
        guard let table = service.configuration.routes else { return }
        page.element("h2", "Per route")
        page.raw("<table id=\"routes\"><thead><tr><th>route</th><th>destination</th><th>series routed</th>"
                 + "<th>objects forwarded</th></tr></thead><tbody>")
        for (rule, destination, _) in service.metrics.routing.routedCounts {
            let label = "{route=\"\(rule)\",destination=\"\(destination)\"}"
            let id = HTMLPage.anchor(rule + "-" + destination)
            page.raw("<tr>")
            page.element("td", rule)
            page.element("td", destination)
            page.countCell(id: "routed-\(id)", count: Int(metrics["bodypart_proxy_routed_series_total\(label)"] ?? 0))
            page.countCell(id: "routed-objects-\(id)", count: Int(metrics["bodypart_proxy_routed_objects_total\(label)"] ?? 0))
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        guard table.rules.contains(where: { $0.priors != nil }) else { return }
        page.element("h2", "Priors")
        page.raw("<table class=\"figures\"><tbody>")
        let waiting = service.priors?.pending
        for (id, name, count) in [
            ("priors-found", "prior studies found", Int(metrics["bodypart_proxy_priors_found_total"] ?? 0)),
            ("priors-matched", "matched the new study's region", Int(metrics["bodypart_proxy_priors_matched_total"] ?? 0)),
            ("priors-moved", "moved to a destination", Int(metrics["bodypart_proxy_priors_moved_total"] ?? 0)),
            ("priors-failed", "failed queries or moves", Int(metrics["bodypart_proxy_priors_failed_total"] ?? 0)),
            ("priors-retrying", "fetches waiting for a retry", waiting?.retrying ?? 0),
            ("priors-abandoned", "fetches given up (priors.max_attempts)", Int(metrics["bodypart_proxy_priors_abandoned_total"] ?? 0)),
        ] {
            page.raw("<tr><th>\(name)</th>")
            page.countCell(id: id, count: count)
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        if let error = waiting?.lastError { page.element("p", "Last prior failure: \(error)", className: "muted") }
    }
}
