import Foundation

extension HTMLReport {
    /// The open reviews: series where the metadata model and the pixel
    /// check disagree, with both answers (`bodypart review` settles them).
    func reviewsSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"reviews\"><h2>Open reviews: metadata and pixels disagree</h2>")
        guard !reviews.isEmpty else {
            page.element("p", "None open.", className: "muted")
            page.raw("</section>")
            return
        }
        page.raw("<table><thead><tr>")
        for head in ["series", "run", "modality", "sent", "metadata", "confidence", "pixel", "confidence", "pixel model"] {
            page.element("th", head)
        }
        page.raw("</tr></thead><tbody>")
        for review in reviews {
            page.raw("<tr id=\"review-\(HTMLPage.anchor(review.seriesInstanceUID))\" data-status=\"\(HTMLPage.escape(review.status))\""
                + " data-metadata=\"\(HTMLPage.escape(review.metadataAnswer ?? ""))\" data-pixel=\"\(HTMLPage.escape(review.pixelAnswer ?? ""))\">")
            for text in [review.seriesInstanceUID, String(review.runID), review.modality ?? "-", review.currentBodyPartExamined ?? "-",
                         review.metadataAnswer ?? "-", review.metadataConfidence.map { String(format: "%.2f", $0) } ?? "-",
                         review.pixelAnswer ?? "-", review.pixelConfidence.map { String(format: "%.2f", $0) } ?? "-",
                         review.pixelModel ?? "-"] {
                page.element("td", text)
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        page.element("p", "Settle with bodypart review accept|reject|relabel SERIES.", className: "muted")
        page.raw("</section>")
    }
}
