import Foundation

/// One way to draw a series' decision: its fields, the model's evidence and
/// the changes old → new with where each object went. `audit report --html`
/// and the proxy's web console both draw series with it.
public enum SeriesView {
    /// Most change rows drawn for one decision.
    public static let changeLimit = 200

    /// The element id of `decision`'s section (`series-UID-ID`).
    public static func anchor(_ decision: DecisionRecord) -> String {
        "series-\(HTMLPage.anchor(decision.seriesInstanceUID))-\(decision.id ?? 0)"
    }

    /// Appends `<section class="series">` for `decision` with its `changes`,
    /// ending with a link `back` (href, text) when given.
    public static func draw(
        _ page: inout HTMLPage, decision: DecisionRecord, changes: [ChangeRecord],
        back: (href: String, text: String)? = nil
    ) {
        page.raw(
            "<section class=\"series\" id=\"\(anchor(decision))\" data-decision=\"\(HTMLPage.escape(decision.kind.rawValue))\"><h3>"
        )
        page.text(decision.seriesInstanceUID)
        page.raw("</h3><dl>")
        let fields: [(String, String)] = [
            ("Study", decision.studyInstanceUID), ("Run", String(decision.runID)),
            ("Modality", decision.modality ?? "-"),
            ("Decision", decision.kind.rawValue), ("Reason", decision.reason),
            ("Predicted", decision.predictedBodyPart ?? "-"),
            ("Confidence", String(format: "%.3f", decision.confidence)),
            (
                "BodyPartExamined",
                "\(decision.currentBodyPartExamined ?? "(missing)") → \(decision.newBodyPartExamined ?? "unchanged")"
            ),
            ("Files", String(decision.files)), ("Recorded", AuditExport.timestamp(decision.createdAt)),
        ]
        for (term, value) in fields {
            page.element("dt", term)
            page.element("dd", value)
        }
        page.raw("</dl><h4>Evidence</h4>")
        page.element("pre", HTMLReport.pretty(decision.evidenceJSON))
        let sentTo = Array(Set(changes.map(\.outputPath).filter { !$0.isEmpty })).sorted()
        if !sentTo.isEmpty {
            page.element("h4", "Written to / sent to")
            page.raw("<ul class=\"sent\">")
            for output in sentTo.prefix(20) { page.element("li", output) }
            page.raw("</ul>")
        }
        page.raw("<h4 class=\"changes\" data-count=\"\(changes.count)\">")
        page.text("Changes (\(changes.count))")
        page.raw("</h4>")
        if !changes.isEmpty {
            page.raw("<table><thead><tr>")
            for head in ["SOPInstanceUID", "tag", "keyword", "old", "new", "reason", "output"] {
                page.element("th", head)
            }
            page.raw("</tr></thead><tbody>")
            for change in changes.prefix(changeLimit) {
                page.raw("<tr>")
                for text in [
                    change.sopInstanceUID, HTMLReport.shown(change).tag, HTMLReport.shown(change).keyword, change.oldValue ?? "(absent)",
                    change.newValue ?? "(removed)", change.reason, change.outputPath,
                ] {
                    page.element("td", text)
                }
                page.raw("</tr>")
            }
            page.raw("</tbody></table>")
        }
        if let back { page.raw("<p><a href=\"\(HTMLPage.escape(back.href))\">\(HTMLPage.escape(back.text))</a></p>") }
        page.raw("</section>")
    }
}
