extension HTMLReport {
    /// Every input a run could not handle, by name, with its reason (at most
    /// `detailLimit` rows; the rest are counted): `<tr id="error-ID" data-kind="truncated">`.
    func errorsSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"errors\"><h2>Errors</h2>")
        guard !errors.isEmpty else {
            page.element("p", "No input was skipped.", className: "muted")
            page.raw("</section>")
            return
        }
        page.raw("<table><thead><tr>")
        for head in ["run", "file", "kind", "reason"] { page.element("th", head) }
        page.raw("</tr></thead><tbody>")
        for error in errors.prefix(HTMLReport.detailLimit) {
            page.raw("<tr id=\"error-\(error.id ?? 0)\" data-kind=\"\(HTMLPage.escape(error.kind))\">")
            page.element("td", String(error.runID))
            page.element("td", error.path)
            page.element("td", error.kind)
            page.element("td", error.message)
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        if errors.count > HTMLReport.detailLimit {
            page.element("p", "\(errors.count - HTMLReport.detailLimit) more: bodypart audit export --records errors",
                         className: "muted")
        }
        page.raw("</section>")
    }

    /// The audit head when the report was made: keep it, and check the log
    /// later with `bodypart audit verify --expect ANCHOR`.
    func anchorSection(_ page: inout HTMLPage) {
        guard let anchor else { return }
        page.raw("<section id=\"anchor\"><h2>Audit head</h2>")
        page.raw("<p><code id=\"audit-head\" data-head=\"\(HTMLPage.escape(anchor.description))\">")
        page.text(anchor.description)
        page.raw("</code></p>")
        page.element("p", "Keep this line outside the audit file; `bodypart audit verify --expect` it later to check that no row it covers was edited, re-hashed or cut.",
                     className: "muted")
        page.raw("</section>")
    }
}
