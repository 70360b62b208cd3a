import Audit
import Foundation

/// What the console's forms do: re-queue or discard a quarantined object
/// (the spool's own operations, as `bodypart proxy retry` uses them), and
/// record a review verdict (as `bodypart review accept|reject|relabel`).
/// Each is written to the audit with the caller's identity, and returns
/// the page to show next.
struct ConsoleActions: Sendable {
    let service: ProxyService

    /// `destination` (folder name) and optional `name`: one quarantined
    /// object, or all of the destination's, back into its queue; the
    /// forwarders take them at once.
    func retry(_ form: [String: String], identity: String) throws -> String {
        let destination = try self.destination(form)
        let spool = service.spool
        var names: [String] = []
        if let name = form["name"], !name.isEmpty {
            guard let entry = spool.quarantinedEntry(named: name, for: destination) else {
                return Self.back("/queues", "nothing quarantined is named \(name) for \(destination)")
            }
            try spool.requeue(entry, for: destination)
            names = [entry.fileName]
        } else {
            names = spool.quarantined(for: destination).map(\.entry.fileName)
            try spool.requeueQuarantined(only: destination)
        }
        for forwarder in service.forwarders where forwarder.destination == destination {
            forwarder.merge(spool.pending(for: destination).filter(forwarder.takes))
        }
        service.audit.enqueue(
            errors: names.map {
                ErrorRecord(
                    runID: service.audit.runID, path: "spool:\(destination.folderName)/\($0)", kind: "console-retry",
                    message: "re-queued for \(destination) from the console by \(identity)")
            })
        return Self.back("/queues", "re-queued \(names.count) object(s) for \(destination)")
    }

    /// `destination`, `name` and `confirm=yes`: deletes one quarantined
    /// object for good (never delivered there), audited as `discarded`.
    func discard(_ form: [String: String], identity: String) throws -> String {
        let destination = try self.destination(form)
        let name = form["name"] ?? ""
        guard let entry = service.spool.quarantinedEntry(named: name, for: destination) else {
            return Self.back("/queues", "nothing quarantined is named \(name) for \(destination)")
        }
        guard form["confirm"] == "yes" else {
            return "/queues/discard?destination=\(Self.encode(destination.folderName))&name=\(Self.encode(name))"
        }
        let reason =
            service.spool.quarantined(for: destination).first { $0.entry == entry }?.note?.reason ?? "(no note)"
        try service.spool.discard(entry, for: destination)
        service.audit.enqueue(errors: [
            ErrorRecord(
                runID: service.audit.runID, path: "spool:\(destination.folderName)/\(entry.fileName)",
                kind: "discarded",
                message: "discarded from the console by \(identity): SOP Instance \(entry.sopInstanceUID) of series "
                    + "\(entry.seriesInstanceUID) will not be delivered to \(destination) (it was quarantined: \(reason))"
            )
        ])
        return Self.back("/queues", "discarded \(entry.fileName) for \(destination)")
    }

    /// `series`, `action` (accept, reject, relabel), `label` for relabel,
    /// optional `note`: a review verdict appended to the audit.
    func verdict(_ form: [String: String], identity: String) throws -> String {
        let series = form["series"] ?? ""
        let store = service.store
        guard let current = try store.reviews(series: series).last else {
            return Self.back("/reviews", "no review is open for series \(series)")
        }
        let status: String, label: String?
        switch form["action"] {
        case "accept": (status, label) = ("accepted", current.pixelAnswer)
        case "reject": (status, label) = ("rejected", current.metadataAnswer ?? current.currentBodyPartExamined)
        case "relabel":
            let asked = (form["label"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            guard let term = service.enricher.taxonomy.term(asked) else {
                return Self.back(
                    "/reviews",
                    "'\(asked)' is not a defined term of Rules/body-parts.yaml (CHEST, HEAD, ABDOMENPELVIS…)")
            }
            (status, label) = ("relabelled", term.definedTerm)
        default:
            return Self.back("/reviews", "unknown action; accept, reject or relabel")
        }
        let note = form["note"].flatMap { $0.isEmpty ? nil : $0 }
        let row = try store.recordReview(series: series, status: status, label: label, reviewer: identity, note: note)
        return Self.back("/reviews", "\(row.state.rawValue) \(row.label ?? "-") for \(series)")
    }

    private func destination(_ form: [String: String]) throws -> Destination {
        let folder = form["destination"] ?? ""
        guard let destination = service.configuration.destinations.first(where: { $0.folderName == folder }) else {
            throw ProxyError.configuration("the console named no configured destination ('\(folder)')")
        }
        return destination
    }

    static func back(_ page: String, _ notice: String) -> String { page + "?notice=" + encode(notice) }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
