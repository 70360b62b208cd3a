import Audit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The console's server-rendered pages: no script, no external resource;
/// every number a test or a person looks for sits in an element with an id
/// and a `data-count`.
struct ConsolePages: Sendable {
    let service: ProxyService
    let auth: ConsoleAuth

    /// The frame of every page: title, navigation, notice, who is signed in; with `refresh`
    /// (a path) the browser reloads that path every 10 s.
    func layout(
        _ title: String, identity: String, notice: String? = nil, refresh: String? = nil,
        _ body: (inout HTMLPage) throws -> Void
    )
        rethrows -> String
    {
        var page = HTMLPage()
        page.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        // A live page without script: the browser reloads it (the notice of an action is dropped then).
        if let refresh { page.raw("<meta http-equiv=\"refresh\" content=\"10; url=\(refresh)\">") }
        page.raw("<title>")
        page.text("\(title) · bodypart proxy")
        page.raw("</title><style>\(HTMLReport.css)\(ConsolePages.css)</style></head><body><nav>")
        for (href, name) in [("/", "Overview"), ("/queues", "Queues"), ("/series", "Series"), ("/reviews", "Review")] {
            page.raw("<a href=\"\(href)\"\(name == title ? " aria-current=\"page\"" : "")>\(name)</a>")
        }
        page.raw("<span class=\"who\">")
        page.text("\(service.configuration.aeTitle) · \(identity)")
        page.raw("</span></nav>")
        page.element("h1", title)
        if let notice { page.element("p", notice, className: "notice") }
        try body(&page)
        page.raw("</body></html>")
        return page.text
    }

    /// A hidden CSRF field for `identity`'s forms.
    func csrf(_ identity: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(auth.csrfToken(for: identity))\">"
    }

    /// Associations, objects per destination, spool, pixel backlog, quarantine, last errors.
    func overview(identity: String, notice: String?) throws -> String {
        let metrics = MetricsText.values(service.respond("/metrics").body)
        let spool = service.spool
        let quarantined = spool.destinations.map { spool.quarantined(for: $0).count }.reduce(0, +)
        let errors = try service.store.recentErrors(limit: 10)
        return layout("Overview", identity: identity, notice: notice, refresh: "/") { page in
            page.raw("<table class=\"figures\"><tbody>")
            let rows: [(String, String, Int)] = [
                ("associations-open", "associations open", service.tally.associationsOpen),
                ("received", "objects received", Int(metrics["bodypart_proxy_received_total"] ?? 0)),
                (
                    "store-failures", "refused (out of resources)",
                    Int(metrics["bodypart_proxy_store_failures_total"] ?? 0)
                ),
                ("quarantined", "quarantined now", quarantined),
                ("pixel-backlog", "series waiting for the pixel check", service.pixel.pendingSeries),
            ]
            for (id, name, count) in rows {
                page.raw("<tr><th>\(name)</th>")
                page.countCell(id: id, count: count)
                page.raw("</tr>")
            }
            page.raw("<tr><th>spool</th><td id=\"spool-use\">")
            page.text(ConsolePages.spoolUse(spool.root))
            page.raw("</td></tr></tbody></table>")
            page.element("h2", "Per destination")
            page.raw(
                "<table><thead><tr><th>destination</th><th>forwarded</th><th>failed sends</th><th>retried</th>"
                    + "<th>quarantined</th><th>waiting</th><th>oldest (s)</th></tr></thead><tbody>")
            for destination in service.configuration.destinations {
                let label = "{destination=\"\(destination.description)\"}"
                let folder = HTMLPage.anchor(destination.folderName)
                page.raw("<tr><td><a href=\"/queues#dest-\(folder)\">")
                page.text(destination.description)
                page.raw("</a></td>")
                for (id, metric) in [
                    ("forwarded", "forwarded_total"), ("failed", "forward_failures_total"),
                    ("retried", "retried_total"),
                    ("quarantined-total", "quarantined_total"), ("depth", "queue_depth"),
                    ("oldest", "queue_oldest_age_seconds"),
                ] {
                    page.countCell(id: "\(id)-\(folder)", count: Int(metrics["bodypart_proxy_\(metric)\(label)"] ?? 0))
                }
                page.raw("</tr>")
            }
            page.raw("</tbody></table>")
            routesSection(&page, metrics: metrics)
            page.element("h2", "Last errors")
            if errors.isEmpty { page.element("p", "None.", className: "muted") }
            page.raw("<table id=\"errors\" data-count=\"\(errors.count)\"><tbody>")
            for error in errors {
                page.raw("<tr>")
                for text in [AuditExport.timestamp(error.createdAt), error.kind, error.path, error.message] {
                    page.element("td", text)
                }
                page.raw("</tr>")
            }
            page.raw("</tbody></table>")
        }
    }

    /// "12.3 GiB free of 50.0 GiB (75 % used)" for the file system of `path`.
    static func spoolUse(_ path: String) -> String {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return "unknown (\(String(cString: strerror(errno))))" }
        let block = Double(info.f_frsize)
        let total = Double(info.f_blocks) * block, free = Double(info.f_bavail) * block
        let used = total > 0 ? (1 - Double(info.f_bfree) * block / total) * 100 : 0
        return String(format: "%@ free of %@ (%.0f %% used)", size(free), size(total), used)
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes, unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: unit == 0 ? "%.0f %@" : "%.1f %@", value, units[unit])
    }

    static let css = """
        nav{display:flex;gap:1.2em;border-bottom:1px solid #ddd;padding-bottom:.5em}nav a[aria-current]{font-weight:700}
        nav .who{margin-left:auto;color:#777}.notice{background:#eef6ee;border:1px solid #9c9;padding:.4em .8em}
        body{max-width:1400px}form.inline{display:inline}button{font:inherit;cursor:pointer;white-space:nowrap}
        table.reviews td form.inline{display:block;margin:.15em 0;white-space:nowrap}table.figures th{font-weight:400}
        form.search{display:flex;gap:.6em;flex-wrap:wrap;align-items:end}form.search label{display:flex;flex-direction:column;font-size:.85em}
        """
}
