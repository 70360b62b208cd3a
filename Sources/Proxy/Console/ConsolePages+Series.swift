import Audit
import Foundation
import Hummingbird

extension ConsolePages {
    /// Decisions per page of a search.
    static let pageSize = 50

    /// Recent decisions, newest first, searchable by Series or Study
    /// Instance UID, PatientID, AccessionNumber (schema v5), body part
    /// (predicted, old or new) and decision.
    func series(identity: String, query: Parameters) throws -> String {
        func field(_ name: String) -> String? {
            guard let value = query.get(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        let offset = max(0, Int(field("offset") ?? "") ?? 0)
        let filter = DecisionFilter(
            decision: field("decision"), series: field("series"), bodyPart: field("bodypart"),
            study: field("study"), patientID: field("patient"), accessionNumber: field("accession"))
        let rows = try service.store.recentDecisions(filter: filter, limit: Self.pageSize + 1, offset: offset)
        return layout("Series", identity: identity) { page in
            page.raw("<form class=\"search\" method=\"get\" action=\"/series\">")
            for (name, label) in [
                ("series", "SeriesInstanceUID"), ("study", "StudyInstanceUID"), ("patient", "PatientID"),
                ("accession", "AccessionNumber"), ("bodypart", "body part"),
            ] {
                page.raw(
                    "<label>\(label)<input name=\"\(name)\" value=\"\(HTMLPage.escape(field(name) ?? ""))\"></label>")
            }
            page.raw("<label>decision<select name=\"decision\"><option value=\"\">any</option>")
            for decision in DecisionRecord.decisions {
                page.raw(
                    "<option\(field("decision")?.uppercased() == decision ? " selected" : "")>\(decision)</option>")
            }
            page.raw("</select></label><button type=\"submit\">Search</button></form>")
            page.element(
                "p", "Decisions recorded before audit schema v5 have no PatientID or AccessionNumber.",
                className: "muted")
            page.raw("<table id=\"decisions\" data-count=\"\(min(rows.count, Self.pageSize))\"><thead><tr>")
            for head in [
                "recorded", "series", "study", "patient", "accession", "modality", "decision", "predicted", "confidence",
                "old", "new",
            ] {
                page.element("th", head)
            }
            page.raw("</tr></thead><tbody>")
            for decision in rows.prefix(Self.pageSize) {
                page.raw("<tr data-decision=\"\(HTMLPage.escape(decision.kind.rawValue))\"><td>")
                page.text(AuditExport.timestamp(decision.createdAt))
                page.raw("</td><td><a href=\"/series/\(ConsoleActions.encode(decision.seriesInstanceUID))\">")
                page.text(decision.seriesInstanceUID)
                page.raw("</a></td>")
                for text in [
                    decision.studyInstanceUID, decision.patientID ?? "-", decision.accessionNumber ?? "-",
                    decision.modality ?? "-", decision.kind.rawValue,
                    decision.predictedBodyPart ?? "-",
                    String(format: "%.2f", decision.confidence), decision.currentBodyPartExamined ?? "-",
                    decision.newBodyPartExamined ?? "-",
                ] {
                    page.element("td", text)
                }
                page.raw("</tr>")
            }
            page.raw("</tbody></table>")
            if rows.isEmpty { page.element("p", "No decision matches.", className: "muted") }
            var links: [String] = []
            let base = ["series", "study", "patient", "accession", "bodypart", "decision"].compactMap { name in
                field(name).map { "\(name)=\(ConsoleActions.encode($0))" }
            }
            if offset > 0 {
                links.append(
                    "<a href=\"/series?\((base + ["offset=\(max(0, offset - Self.pageSize))"]).joined(separator: "&"))\">newer</a>"
                )
            }
            if rows.count > Self.pageSize {
                links.append(
                    "<a href=\"/series?\((base + ["offset=\(offset + Self.pageSize)"]).joined(separator: "&"))\">older</a>"
                )
            }
            if !links.isEmpty { page.raw("<p>\(links.joined(separator: " · "))</p>") }
        }
    }

    /// What the audit knows of one series: each decision with its evidence
    /// and changes (drawn as `audit report --html` draws them), where it was
    /// sent, the route it took and its priors (with the fetches still
    /// waiting for a retry), its reviews.
    func seriesDetail(identity: String, uid: String) throws -> String {
        let store = service.store
        let decisions = try store.decisions(filter: DecisionFilter(series: uid))
        let changes = try store.changes(runID: nil, series: uid)
        let reviews = try store.reviews(series: uid)
        let routings = try store.routings(series: uid)
        let pending = service.priors?.pendingFetches(series: uid) ?? []
        return layout("Series", identity: identity) { page in
            page.raw("<p class=\"muted\">")
            page.text(uid)
            page.raw("</p>")
            if decisions.isEmpty { page.element("p", "The audit has no decision for this series.") }
            for decision in decisions.reversed() {
                SeriesView.draw(&page, decision: decision, changes: changes.filter { $0.runID == decision.runID })
            }
            SeriesView.drawRouting(&page, rows: routings, pending: pending)
            if !reviews.isEmpty {
                page.element("h2", "Review")
                reviewTable(&page, reviews, identity: nil)
            }
            page.raw("<p><a href=\"/series\">back to the search</a></p>")
        }
    }
}
