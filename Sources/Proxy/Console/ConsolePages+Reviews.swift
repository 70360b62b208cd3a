import Audit
import Foundation

extension ConsolePages {
    /// The open reviews: both answers, and accept / reject / relabel forms.
    func reviews(identity: String, notice: String?) throws -> String {
        let open = try service.store.reviewQueue(status: "open")
        return layout("Review", identity: identity, notice: notice) { page in
            page.raw(
                "<p>Open: <span id=\"reviews-open\" data-count=\"\(open.count)\">\(open.count)</span>. "
                    + "Series where the metadata model and the pixel check disagree; a verdict is appended to the audit "
                    + "(as <code>bodypart review</code> does) and nothing is sent again.</p>")
            reviewTable(&page, open, identity: identity)
        }
    }

    /// Review rows; with `identity`, each gets the verdict forms.
    func reviewTable(_ page: inout HTMLPage, _ rows: [ReviewRecord], identity: String?) {
        page.raw("<table class=\"reviews\"><thead><tr>")
        for head in [
            "series", "modality", "BodyPartExamined", "metadata answer", "pixel answer", "status", "label", "by", "at",
        ] {
            page.element("th", head)
        }
        if identity != nil { page.element("th", "verdict") }
        page.raw("</tr></thead><tbody>")
        for row in rows {
            page.raw(
                "<tr data-status=\"\(HTMLPage.escape(row.state.rawValue))\"><td><a href=\"/series/\(ConsoleActions.encode(row.seriesInstanceUID))\">"
            )
            page.text(row.seriesInstanceUID)
            page.raw("</a></td>")
            func answer(_ term: String?, _ confidence: Double?) -> String {
                "\(term ?? "-")\(confidence.map { String(format: " (%.2f)", $0) } ?? "")"
            }
            for text in [
                row.modality ?? "-", row.currentBodyPartExamined ?? "-",
                answer(row.metadataAnswer, row.metadataConfidence),
                answer(row.pixelAnswer, row.pixelConfidence), row.state.rawValue, row.label ?? "-", row.reviewer,
                AuditExport.timestamp(row.at),
            ] {
                page.element("td", text)
            }
            if let identity {
                let hidden =
                    "\(csrf(identity))<input type=\"hidden\" name=\"series\" value=\"\(HTMLPage.escape(row.seriesInstanceUID))\">"
                page.raw(
                    "<td><form class=\"inline\" method=\"post\" action=\"/reviews/verdict\">\(hidden)"
                        + "<input type=\"hidden\" name=\"action\" value=\"accept\"><button type=\"submit\">Accept pixel answer</button></form> "
                        + "<form class=\"inline\" method=\"post\" action=\"/reviews/verdict\">\(hidden)"
                        + "<input type=\"hidden\" name=\"action\" value=\"reject\"><button type=\"submit\">Keep metadata answer</button></form> "
                        + "<form class=\"inline\" method=\"post\" action=\"/reviews/verdict\">\(hidden)"
                        + "<input type=\"hidden\" name=\"action\" value=\"relabel\"><input name=\"label\" size=\"12\" placeholder=\"CHEST\" required>"
                        + "<button type=\"submit\">Relabel</button></form></td>")
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
    }
}
