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
            page.raw("<tr id=\"review-\(HTMLPage.anchor(review.seriesInstanceUID))\" data-status=\"\(HTMLPage.escape(review.state.rawValue))\""
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
        for review in reviews {
            if let previews = previews[review.seriesInstanceUID] { previewsBlock(review, previews, &page) }
        }
        page.raw("</section>")
    }

    /// The pictures of one review: `<figure data-view="mid"><img src=…>` for
    /// each made, a line saying why for each missing.
    private func previewsBlock(_ review: ReviewRecord, _ previews: ReviewPreviews, _ page: inout HTMLPage) {
        let uid = review.seriesInstanceUID
        page.raw("<div class=\"previews\" id=\"previews-\(HTMLPage.anchor(uid))\" data-series=\"\(HTMLPage.escape(uid))\">")
        page.element("h3", uid)
        if let note = previews.note {
            // With no pictures the note says why there are none.
            page.raw(previews.pictures.isEmpty ? "<p class=\"muted\" data-preview=\"missing\">" : "<p class=\"muted\">")
            page.text(note)
            page.raw("</p>")
        }
        for picture in previews.pictures {
            guard let path = picture.path else {
                page.raw("<p class=\"muted\" data-view=\"\(HTMLPage.escape(picture.view))\" data-preview=\"missing\">")
                page.text("No \(picture.title): \(picture.caption)")
                page.raw("</p>")
                continue
            }
            page.raw("<figure data-view=\"\(HTMLPage.escape(picture.view))\"><img src=\"\(HTMLPage.escape(Self.urlPath(path)))\""
                + " width=\"\(picture.width)\" height=\"\(picture.height)\" alt=\"\(HTMLPage.escape("\(picture.title) of \(uid)"))\">")
            page.element("figcaption", "\(picture.title): \(picture.caption)")
            page.raw("</figure>")
        }
        page.raw("</div>")
    }

    /// A relative file path as a URL path: each segment percent-encoded
    /// except unreserved characters, so spaces, `#` and `%` in names work.
    static func urlPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            var out = ""
            for byte in segment.utf8 {
                let c = Character(UnicodeScalar(byte))
                if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) { out.append(c) }
                else { out += String(format: "%%%02X", byte) }
            }
            return out
        }.joined(separator: "/")
    }
}
