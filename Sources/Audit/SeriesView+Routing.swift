import Foundation

extension SeriesView {
    /// A prior fetch of the series still waiting in the proxy's spool (the
    /// audit knows its past attempts, not that another one is due).
    public struct PendingFetch: Sendable, Hashable {
        /// The destination the priors go to (`AE@host:port`).
        public var destination: String
        /// Failed attempts so far, and the most the route allows.
        public var attempts: Int
        public var maxAttempts: Int
        /// When the next attempt is due.
        public var next: Date
        public var lastError: String?

        public init(destination: String, attempts: Int, maxAttempts: Int, next: Date, lastError: String?) {
            self.destination = destination
            self.attempts = attempts
            self.maxAttempts = maxAttempts
            self.next = next
            self.lastError = lastError
        }
    }

    /// One prior study as a series' page shows it (per destination).
    struct PriorLine {
        var destination: String
        var prior: String
        var note: PriorNote?
        var state: String
        var last: String
        /// Whether its region matched the series' (at some attempt).
        var matched = false
    }

    /// The state of each prior of `rows` (`routings` of one series, oldest first), per destination:
    /// `moved`, `sent before`, `matched` (its move to come), `pending retry`, `failed`, `not taken`.
    static func priorLines(_ rows: [RoutingRecord], pending: [PendingFetch]) -> [PriorLine] {
        var lines: [String: PriorLine] = [:]
        var order: [String] = []
        for row in rows where row.kind.hasPrefix("prior-") {
            guard let prior = row.priorStudyInstanceUID else { continue }
            let destination = row.destination ?? "-"
            let key = destination + "|" + prior
            if lines[key] == nil {
                order.append(key)
                lines[key] = PriorLine(destination: destination, prior: prior, note: nil, state: "not taken", last: "")
            }
            let note = PriorNote(detail: row.detail)
            if row.kind == "prior-match" { lines[key]?.matched = true }
            if let note, note.studyDate != nil || !note.regions.isEmpty || lines[key]?.note == nil {
                lines[key]?.note = note
            }
            if lines[key]?.state == "moved" { continue }
            lines[key]?.last = note?.text ?? row.detail
            switch (row.kind, row.status) {
            case ("prior-move", "success"): lines[key]?.state = "moved"
            case ("prior-failed", "abandoned"): lines[key]?.state = "failed"
            case ("prior-failed", _):
                lines[key]?.state = pending.contains { $0.destination == destination } ? "pending retry" : "failed"
            case ("prior-match", _): lines[key]?.state = "matched"
            case ("prior-skip", _):
                lines[key]?.state = (note?.text ?? row.detail).hasPrefix("already sent") ? "sent before" : "not taken"
            default: break
            }
        }
        return order.compactMap { lines[$0] }
    }

    /// Appends the route a series took and the priors fetched for it, from its
    /// `routings` rows, with the fetches still `pending` in the proxy. Nothing
    /// when the series has no routing row (no `routes:`, or an audit before schema v4).
    public static func drawRouting(_ page: inout HTMLPage, rows: [RoutingRecord], pending: [PendingFetch] = []) {
        let routes = rows.filter { $0.kind == "route" }
        guard !routes.isEmpty || !pending.isEmpty || rows.contains(where: { $0.kind.hasPrefix("prior-") }) else {
            return
        }
        page.raw("<section class=\"routing\"><h4>Route</h4><ul id=\"routes-taken\" data-count=\"\(routes.count)\">")
        for route in routes {
            page.raw(
                "<li data-rule=\"\(HTMLPage.escape(route.rule))\" data-destination=\"\(HTMLPage.escape(route.destination ?? ""))\">"
            )
            page.text("\(route.rule) → \(route.destination ?? "nowhere"): \(route.detail)")
            page.raw("</li>")
        }
        page.raw("</ul>")
        let lines = priorLines(rows, pending: pending)
        let queries = rows.filter { $0.kind == "prior-query" }
        if !queries.isEmpty || !lines.isEmpty || !pending.isEmpty {
            page.element("h4", "Priors")
            page.raw("<table class=\"figures\"><tbody>")
            for (id, name, count) in [
                ("queries", "archive queries answered", queries.count),
                ("found", "prior studies found", Set(lines.map(\.prior)).count),
                ("matched", "matched the series' region", lines.filter(\.matched).count),
                ("moved", "moved", lines.filter { $0.state == "moved" }.count),
                ("pending", "waiting for a retry", lines.filter { $0.state == "pending retry" }.count),
                ("failed", "failed for good", lines.filter { $0.state == "failed" }.count),
            ] {
                page.raw("<tr><th>\(name)</th>")
                page.countCell(id: "series-priors-\(id)", count: count)
                page.raw("</tr>")
            }
            page.raw("</tbody></table>")
        }
        if !lines.isEmpty {
            page.raw("<table id=\"priors\" data-count=\"\(lines.count)\"><thead><tr>")
            for head in ["destination", "prior study", "study date", "region", "state", "last step"] {
                page.element("th", head)
            }
            page.raw("</tr></thead><tbody>")
            for line in lines {
                let date = line.note?.studyDate ?? "-"
                let region = line.note.map { $0.regions.isEmpty ? "-" : $0.regions.joined(separator: ", ") } ?? "-"
                page.raw(
                    "<tr class=\"prior\" data-prior=\"\(HTMLPage.escape(line.prior))\" data-state=\"\(line.state)\""
                        + " data-date=\"\(HTMLPage.escape(date))\" data-region=\"\(HTMLPage.escape(region))\">")
                for text in [line.destination, line.prior, date, region, line.state, line.last] {
                    page.element("td", text)
                }
                page.raw("</tr>")
            }
            page.raw("</tbody></table>")
        }
        fetchFailures(&page, rows: rows, pending: pending)
        page.raw("</section>")
    }

    /// The fetches still waiting, and those the proxy gave up on.
    private static func fetchFailures(_ page: inout HTMLPage, rows: [RoutingRecord], pending: [PendingFetch]) {
        let abandoned = rows.filter {
            $0.kind == "prior-failed" && $0.status == "abandoned" && $0.priorStudyInstanceUID == nil
        }
        guard !pending.isEmpty || !abandoned.isEmpty else { return }
        page.raw("<ul id=\"prior-fetches\" data-count=\"\(pending.count + abandoned.count)\">")
        for fetch in pending {
            page.raw("<li data-state=\"pending retry\" data-attempts=\"\(fetch.attempts)\">")
            var text = "to \(fetch.destination): "
            text +=
                fetch.attempts == 0
                ? "fetch due \(AuditExport.timestamp(fetch.next))"
                : "attempt \(fetch.attempts) of \(fetch.maxAttempts) failed, next at \(AuditExport.timestamp(fetch.next))"
            if let error = fetch.lastError { text += " (\(error))" }
            page.text(text)
            page.raw("</li>")
        }
        for row in abandoned {
            page.raw("<li data-state=\"failed\">")
            page.text("to \(row.destination ?? "-"): \(row.detail)")
            page.raw("</li>")
        }
        page.raw("</ul>")
    }
}
