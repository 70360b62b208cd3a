import Foundation

extension HTMLReport {
    /// The list of low-confidence and FLAGGED series, and one detail section each.
    func attentionSection(_ page: inout HTMLPage) {
        page.raw("<section id=\"attention\"><h2>Series to look at</h2>")
        guard !attention.isEmpty else {
            page.element("p", "None: no FLAGGED series and none below \(lowConfidence).", className: "muted")
            page.raw("</section>")
            return
        }
        page.raw("<table><thead><tr>")
        for head in ["series", "run", "modality", "decision", "predicted", "confidence", "old", "new"] {
            page.element("th", head)
        }
        page.raw("</tr></thead><tbody>")
        for decision in attention {
            let anchor = "series-\(HTMLPage.anchor(decision.seriesInstanceUID))-\(decision.id ?? 0)"
            page.raw("<tr class=\"\(decision.kind == .flagged ? "flagged" : "low")\" data-decision=\"\(HTMLPage.escape(decision.kind.rawValue))\">")
            page.raw("<td><a href=\"#\(anchor)\">\(HTMLPage.escape(decision.seriesInstanceUID))</a></td>")
            for text in [String(decision.runID), decision.modality ?? "-", decision.kind.rawValue, decision.predictedBodyPart ?? "-",
                         String(format: "%.2f", decision.confidence), decision.currentBodyPartExamined ?? "-",
                         decision.newBodyPartExamined ?? "-"] {
                page.element("td", text)
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table>")
        for decision in attention.prefix(HTMLReport.detailLimit) { detail(&page, decision) }
        if attention.count > HTMLReport.detailLimit {
            page.element("p", "\(attention.count - HTMLReport.detailLimit) more series without a detail section; "
                + "use `bodypart audit show SERIES_UID`.", className: "muted")
        }
        page.raw("</section>")
    }

    private func detail(_ page: inout HTMLPage, _ decision: DecisionRecord) {
        let changes = changesBySeries[decision.seriesInstanceUID]?.filter { $0.runID == decision.runID } ?? []
        SeriesView.draw(&page, decision: decision, changes: changes)
        // The route and priors drawn as the console draws them, inside the series' section.
        SeriesView.drawRouting(&page, rows: routingsBySeries[decision.seriesInstanceUID]?.filter { $0.runID == decision.runID } ?? [])
        page.raw("<p><a href=\"#attention\">back to the list</a></p>")
    }

    /// Evidence JSON pretty-printed when it parses, else as stored.
    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object,
                                                     options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }

    /// The style sheet of the report and the console (inline: pages load nothing else).
    public static let css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
        h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}h3{font-family:monospace}
        table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}
        td[data-count]{text-align:right;font-variant-numeric:tabular-nums}.zero{color:#bbb;text-align:center}
        .muted{color:#777}.pair{display:flex;gap:2em;align-items:flex-start;flex-wrap:wrap}
        tr.flagged td:first-child{border-left:4px solid #c0392b}tr.low td:first-child{border-left:4px solid #e6a23c}
        pre{background:#f6f6f6;padding:.6em;overflow:auto}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
        dt{font-weight:600}dd{margin:0}section.series{border-top:1px dashed #ccc;margin-top:1.5em}
        svg text{font:11px system-ui,sans-serif;fill:#333}svg rect.bar{fill:#3b7dd8}
        div.previews{border-top:1px dashed #ccc;margin-top:1em}figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
        figure img{background:#000;display:block}figcaption{font-size:.85em;color:#555;max-width:256px}
        """
}

extension HTMLReport {
    /// The tag and keyword a change row is shown with. The private prediction
    /// block is audited as one row under (gggg,0000) with its values as
    /// "DECISION BODYPART CONFIDENCE MODEL": shown as the elements those are,
    /// never as a group length.
    static func shown(_ change: ChangeRecord) -> (tag: String, keyword: String) {
        guard change.keyword == "BodyPartPrediction", change.tag.hasSuffix(",0000)") else { return (change.tag, change.keyword) }
        let group = change.tag.dropFirst().prefix(4)
        return ("(\(group),\"BODYPART PREDICTION 1\",07 01 05 08)",
                "BodyPartDecision BodyPartPredicted BodyPartPredictionConfidence BodyPartModelID")
    }
}
