import Foundation

/// One self-contained HTML page about a run (or all runs): totals, decisions
/// table and bar chart, confidence histogram, old → new BodyPartExamined
/// matrix, the open reviews (metadata and pixels disagree), and the
/// low-confidence and FLAGGED series with a detail section each.
///
/// Inline CSS and SVG only: no script, font or style sheet is fetched, so
/// the file can be mailed or archived as is. The one exception is optional:
/// review previews (`previews`) are PNG files the caller wrote beside the
/// page, linked by relative paths. Count cells carry stable `id`
/// and `data-count` attributes (`<td id="count-FILLED" data-count="12">`) for scripts and tests.
public struct HTMLReport: Sendable {
    /// The counts shown.
    public var summary: AuditSummary
    /// Series that need a look (low confidence or FLAGGED), in id order.
    public var attention: [DecisionRecord]
    /// Changes of the attention series, by SeriesInstanceUID.
    public var changesBySeries: [String: [ChangeRecord]]
    /// Routing rows (route taken, priors) of the attention series, by SeriesInstanceUID (proxy runs only).
    public var routingsBySeries: [String: [RoutingRecord]] = [:]
    /// Open reviews (metadata and pixel answers disagree), in order of opening.
    public var reviews: [ReviewRecord]
    /// Previews of the reviewed series (PNG files beside the report), by
    /// SeriesInstanceUID; a review without an entry shows none.
    public var previews: [String: ReviewPreviews]
    /// Inputs the runs could not handle (path, kind, reason), in id order.
    public var errors: [ErrorRecord]
    /// The audit log's anchor when the report was made (for `audit verify --expect`).
    public var anchor: AuditAnchor?
    /// Page title.
    public var title: String
    /// Confidence below which a series is listed as low-confidence.
    public var lowConfidence: Double
    /// When the report was made.
    public var generatedAt: Date
    /// At most this many series get a detail section (the rest are counted).
    public static let detailLimit = 2000

    /// A report from already loaded parts.
    public init(summary: AuditSummary, attention: [DecisionRecord], changesBySeries: [String: [ChangeRecord]],
                reviews: [ReviewRecord] = [], previews: [String: ReviewPreviews] = [:], errors: [ErrorRecord] = [],
                anchor: AuditAnchor? = nil, title: String = "bodypart audit report",
                lowConfidence: Double = 0.6, generatedAt: Date = Date()) {
        self.summary = summary
        self.attention = attention
        self.changesBySeries = changesBySeries
        self.reviews = reviews
        self.previews = previews
        self.errors = errors
        self.anchor = anchor
        self.title = title
        self.lowConfidence = lowConfidence
        self.generatedAt = generatedAt
    }

    /// Loads what a report of `runID` (nil: all runs) needs from the store.
    public static func load(from store: AuditStore, runID: Int64?, lowConfidence: Double = 0.6) throws(AuditError)
        -> HTMLReport
    {
        let summary = try store.summary(runID: runID)
        let attention = try store.decisions(filter: DecisionFilter(runID: runID))
            .filter { $0.kind == .flagged || $0.confidence < lowConfidence }
        var changes: [String: [ChangeRecord]] = [:]
        var routings: [String: [RoutingRecord]] = [:]
        for decision in attention.prefix(detailLimit) where changes[decision.seriesInstanceUID] == nil {
            changes[decision.seriesInstanceUID] = try store.changes(runID: decision.runID, series: decision.seriesInstanceUID)
            routings[decision.seriesInstanceUID] = try store.routings(series: decision.seriesInstanceUID)
        }
        let reviews = try store.reviewQueue(status: .open).filter { runID == nil || $0.runID == runID }
        let title = runID.map { "bodypart audit report: run \($0)" } ?? "bodypart audit report: all runs"
        var report = HTMLReport(summary: summary, attention: attention, changesBySeries: changes, reviews: reviews,
                                errors: try store.errors(runID: runID), anchor: try store.anchor(), title: title,
                                lowConfidence: lowConfidence)
        report.routingsBySeries = routings
        return report
    }

    /// The whole page.
    public func render() -> String {
        var page = HTMLPage()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        page.element("title", title)
        page.raw("<style>\(HTMLReport.css)</style></head><body>")
        page.element("h1", title)
        page.element("p", "Generated \(AuditExport.timestamp(generatedAt)).", className: "muted")
        runsSection(&page)
        totalsSection(&page)
        decisionsSection(&page)
        histogramSection(&page)
        matrixSection(&page)
        countsSection(&page, heading: "Modalities", idPrefix: "modality", counts: summary.byModality)
        countsSection(&page, heading: "Predicted body parts", idPrefix: "predicted", counts: summary.byPredictedBodyPart)
        reviewsSection(&page)
        attentionSection(&page)
        errorsSection(&page)
        anchorSection(&page)
        page.raw("</body></html>\n")
        return page.text
    }

    private func runsSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"runs\"><h2>Runs</h2><table><thead><tr>")
        for head in ["run", "mode", "status", "model", "policy", "host", "started", "finished", "series"] {
            page.element("th", head)
        }
        page.raw("</tr></thead><tbody>")
        for run in summary.runs {
            let id = run.id ?? 0
            page.raw("<tr id=\"run-\(id)\" data-status=\"\(HTMLPage.escape(run.status.rawValue))\">")
            page.element("td", String(id))
            for text in [run.mode.rawValue, run.status.rawValue, run.modelID, String(run.policyHash.prefix(12)), run.host,
                         AuditExport.timestamp(run.startedAt), run.finishedAt.map(AuditExport.timestamp) ?? "-"] {
                page.element("td", text)
            }
            page.countCell(id: "run-series-\(id)", count: summary.byRun[id] ?? 0)
            page.raw("</tr>")
        }
        page.raw("</tbody></table></section>")
    }

    private func totalsSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"totals\"><h2>Totals</h2><table><tbody>")
        let totals = [("series", "Series decided", summary.series), ("files", "Files covered", summary.files),
                      ("changes", "Attributes changed", summary.changes), ("errors", "Errors", summary.errors),
                      ("attention", "Series to look at", attention.count), ("reviews", "Open reviews", reviews.count)]
        for (key, label, count) in totals {
            page.raw("<tr>")
            page.element("th", label)
            page.countCell(id: "total-\(key)", count: count)
            page.raw("</tr>")
        }
        page.raw("</tbody></table></section>")
    }

    private func decisionsSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"decisions\"><h2>Decisions</h2><div class=\"pair\"><table><thead><tr>")
        page.element("th", "decision")
        page.element("th", "series")
        page.raw("</tr></thead><tbody>")
        let ordered = DecisionRecord.decisions + summary.byDecision.keys.filter { !DecisionRecord.decisions.contains($0) }.sorted()
        for decision in ordered {
            page.raw("<tr>")
            page.element("th", decision)
            page.countCell(id: "count-\(decision)", count: summary.byDecision[decision] ?? 0)
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        page.raw(SVGChart.bars(ordered.map { ($0, summary.byDecision[$0] ?? 0) }, label: "Series per decision"))
        page.raw("</div></section>")
    }

    private func histogramSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"confidence\"><h2>Confidence</h2>")
        let bins = summary.confidenceHistogram.enumerated().map { (String(format: "%.1f", Double($0.offset) / 10), $0.element) }
        page.raw(SVGChart.histogram(bins, label: "Series per confidence decile"))
        page.element("p", "Series below \(lowConfidence) are listed under Series to look at.", className: "muted")
        page.raw("</section>")
    }

    private func matrixSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"matrix\"><h2>BodyPartExamined: old → new</h2>")
        let froms = Array(Set(summary.transitions.map { $0.from ?? "(missing)" })).sorted()
        let tos = Array(Set(summary.transitions.map(\.to))).sorted()
        guard !froms.isEmpty else {
            page.element("p", "No BodyPartExamined was written.", className: "muted")
            page.raw("</section>")
            return
        }
        page.raw("<table class=\"matrix\"><thead><tr><th>old \\ new</th>")
        for to in tos { page.element("th", to) }
        page.raw("</tr></thead><tbody>")
        for from in froms {
            page.raw("<tr>")
            page.element("th", from)
            for to in tos {
                let count = summary.transitions.first { ($0.from ?? "(missing)") == from && $0.to == to }?.count ?? 0
                page.raw("<td data-from=\"\(HTMLPage.escape(from))\" data-to=\"\(HTMLPage.escape(to))\" data-count=\"\(count)\"")
                page.raw(count == 0 ? " class=\"zero\">·</td>" : ">\(count)</td>")
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table></section>")
    }

    private func countsSection(_ page: inout HTMLPage, heading: String, idPrefix: String, counts: [String: Int]) {
        page.raw("<section id=\"\(idPrefix)\"><h2>\(HTMLPage.escape(heading))</h2><div class=\"pair\">")
        let ranked = AuditSummary.ranked(counts)
        page.raw("<table><tbody>")
        for (key, count) in ranked {
            page.raw("<tr>")
            page.element("th", key)
            page.countCell(id: "\(idPrefix)-\(HTMLPage.anchor(key))", count: count)
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        page.raw(SVGChart.bars(ranked.prefix(20).map { ($0.key, $0.count) }, label: heading))
        page.raw("</div></section>")
    }
}
