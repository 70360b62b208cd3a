import Audit
import Foundation

extension ConsolePages {
    /// Rows shown per list; the counts are always the full ones.
    static let rowLimit = 200

    /// Per destination: waiting, retrying (attempts, next try), quarantined
    /// with its reason and the retry and discard forms.
    func queues(identity: String, notice: String?) throws -> String {
        layout("Queues", identity: identity, notice: notice, refresh: "/queues") { page in
            let now = Date()
            for destination in service.configuration.destinations {
                let folder = HTMLPage.anchor(destination.folderName)
                let lanes = service.forwarders.filter { $0.destination == destination }.map(\.snapshot)
                let waiting = lanes.flatMap(\.waiting).sorted()
                let retrying = lanes.flatMap(\.retrying).sorted { $0.entry < $1.entry }
                let held = lanes.map(\.blockedUntil).max() ?? .distantPast
                let quarantined = service.spool.quarantined(for: destination)
                page.raw("<section id=\"dest-\(folder)\"><h2>")
                page.text(destination.description)
                page.raw("</h2><table class=\"figures\"><tbody><tr><th>waiting</th>")
                page.countCell(id: "waiting-\(folder)", count: waiting.count)
                page.raw("</tr><tr><th>retrying</th>")
                page.countCell(id: "retrying-\(folder)", count: retrying.count)
                page.raw("</tr><tr><th>quarantined</th>")
                page.countCell(id: "quarantined-\(folder)", count: quarantined.count)
                page.raw("</tr></tbody></table>")
                if held > now {
                    page.element(
                        "p", "Destination unreachable: the whole queue waits until \(AuditExport.timestamp(held)).",
                        className: "notice")
                }
                if !retrying.isEmpty {
                    page.element("h3", "Retrying")
                    page.raw(
                        "<table><thead><tr><th>object</th><th>series</th><th>tries</th><th>next try</th></tr></thead><tbody>"
                    )
                    for item in retrying.prefix(Self.rowLimit) {
                        page.raw("<tr>")
                        for text in [
                            item.entry.fileName, item.entry.seriesInstanceUID, String(item.attempts),
                            "in \(max(0, Int(item.next.timeIntervalSince(now).rounded()))) s",
                        ] {
                            page.element("td", text)
                        }
                        page.raw("</tr>")
                    }
                    page.raw("</tbody></table>")
                }
                if !waiting.isEmpty {
                    page.element("h3", "Waiting (oldest first)")
                    page.raw("<table><thead><tr><th>object</th><th>series</th><th>waiting for</th></tr></thead><tbody>")
                    for entry in waiting.prefix(Self.rowLimit) {
                        page.raw("<tr>")
                        for text in [
                            entry.fileName, entry.seriesInstanceUID, "\(Int(now.timeIntervalSince(entry.arrival))) s",
                        ] {
                            page.element("td", text)
                        }
                        page.raw("</tr>")
                    }
                    page.raw("</tbody></table>")
                }
                if !quarantined.isEmpty {
                    page.element("h3", "Quarantined")
                    page.raw(
                        "<form class=\"inline\" method=\"post\" action=\"/queues/retry\">\(csrf(identity))"
                            + "<input type=\"hidden\" name=\"destination\" value=\"\(HTMLPage.escape(destination.folderName))\">"
                            + "<button type=\"submit\">Retry all \(quarantined.count)</button></form>")
                    page.raw(
                        "<table class=\"quarantine\"><thead><tr><th>object</th><th>series</th><th>reason</th><th>tries</th>"
                            + "<th>since</th><th></th></tr></thead><tbody>")
                    for (entry, note) in quarantined.prefix(Self.rowLimit) {
                        page.raw("<tr data-name=\"\(HTMLPage.escape(entry.fileName))\">")
                        for text in [
                            entry.fileName, entry.seriesInstanceUID, note?.reason ?? "(no note)",
                            note.map { String($0.attempts) } ?? "-",
                            note.map { AuditExport.timestamp($0.quarantinedAt) } ?? "-",
                        ] {
                            page.element("td", text)
                        }
                        let fields =
                            "\(csrf(identity))<input type=\"hidden\" name=\"destination\" value=\"\(HTMLPage.escape(destination.folderName))\">"
                            + "<input type=\"hidden\" name=\"name\" value=\"\(HTMLPage.escape(entry.fileName))\">"
                        page.raw(
                            "<td><form class=\"inline retry\" method=\"post\" action=\"/queues/retry\">\(fields)"
                                + "<button type=\"submit\">Retry</button></form> "
                                + "<form class=\"inline discard\" method=\"post\" action=\"/queues/discard\">\(fields)"
                                + "<button type=\"submit\">Discard…</button></form></td></tr>")
                    }
                    page.raw("</tbody></table>")
                }
                page.raw("</section>")
            }
        }
    }

    /// The confirmation a discard asks for: what will be lost, and a form with `confirm=yes`.
    func confirmDiscard(identity: String, destination folder: String, name: String) -> String {
        layout("Discard", identity: identity) { page in
            guard let destination = service.configuration.destinations.first(where: { $0.folderName == folder }),
                let entry = service.spool.quarantinedEntry(named: name, for: destination)
            else {
                page.element("p", "Nothing quarantined is named \(name) for that destination.")
                page.raw("<p><a href=\"/queues\">back to the queues</a></p>")
                return
            }
            let note = service.spool.quarantined(for: destination).first { $0.entry == entry }?.note
            page.element(
                "p",
                "Discard SOP Instance \(entry.sopInstanceUID) of series \(entry.seriesInstanceUID) for \(destination)? "
                    + "It will never be delivered there, and the audit records that you discarded it.")
            page.element("p", "Quarantined because: \(note?.reason ?? "(no note)")", className: "muted")
            page.raw(
                "<form method=\"post\" action=\"/queues/discard\">\(csrf(identity))"
                    + "<input type=\"hidden\" name=\"destination\" value=\"\(HTMLPage.escape(destination.folderName))\">"
                    + "<input type=\"hidden\" name=\"name\" value=\"\(HTMLPage.escape(entry.fileName))\">"
                    + "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                    + "<button type=\"submit\">Discard for good</button> <a href=\"/queues\">Cancel</a></form>")
        }
    }
}
