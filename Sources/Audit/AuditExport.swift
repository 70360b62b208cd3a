import Foundation

/// CSV (RFC 4180) and JSON renderings of decisions and changes, for spreadsheets and scripts.
public enum AuditExport {
    /// Decision columns, in CSV order.
    public static let decisionColumns = [
        "id", "runID", "studyInstanceUID", "seriesInstanceUID", "modality", "predictedBodyPart", "confidence",
        "decision", "reason", "evidenceJSON", "currentBodyPartExamined", "newBodyPartExamined", "files", "createdAt",
        "hash",
    ]
    /// Change columns, in CSV order.
    public static let changeColumns = [
        "id", "runID", "seriesInstanceUID", "sopInstanceUID", "sourcePath", "outputPath", "tag", "keyword",
        "oldValue", "newValue", "reason", "createdAt", "hash",
    ]

    /// Error columns, in CSV order.
    public static let errorColumns = ["id", "runID", "path", "kind", "message", "createdAt", "hash"]

    /// Errors (inputs a run could not handle) as CSV with a header row.
    public static func csv(errors: [ErrorRecord]) -> String {
        rows(errorColumns, errors.map { e in
            [e.id.map(String.init), String(e.runID), e.path, e.kind, e.message, timestamp(e.createdAt), e.hash]
        })
    }

    /// Decisions as CSV with a header row; missing values are empty fields.
    public static func csv(decisions: [DecisionRecord]) -> String {
        rows(decisionColumns, decisions.map { d in
            [d.id.map(String.init), String(d.runID), d.studyInstanceUID, d.seriesInstanceUID, d.modality,
             d.predictedBodyPart, String(d.confidence), d.kind.rawValue, d.reason, d.evidenceJSON,
             d.currentBodyPartExamined, d.newBodyPartExamined, String(d.files), timestamp(d.createdAt), d.hash]
        })
    }

    /// Changes as CSV with a header row; missing values are empty fields.
    public static func csv(changes: [ChangeRecord]) -> String {
        rows(changeColumns, changes.map { c in
            [c.id.map(String.init), String(c.runID), c.seriesInstanceUID, c.sopInstanceUID, c.sourcePath,
             c.outputPath, c.tag, c.keyword, c.oldValue, c.newValue, c.reason, timestamp(c.createdAt), c.hash]
        })
    }

    /// `{"decisions":[...],"changes":[...]}` (either may be omitted with nil), sorted keys,
    /// ISO 8601 UTC times with milliseconds, missing values as null, pretty-printed.
    public static func json(decisions: [DecisionRecord]?, changes: [ChangeRecord]?, errors: [ErrorRecord]? = nil) -> String {
        var object: [String: Any] = [:]
        if let errors {
            object["errors"] = errors.map { e -> [String: Any] in
                ["id": e.id.map { $0 as Any } ?? NSNull(), "runID": e.runID, "path": e.path, "kind": e.kind,
                 "message": e.message, "createdAt": timestamp(e.createdAt), "hash": e.hash ?? NSNull()]
            }
        }
        if let decisions {
            object["decisions"] = decisions.map { d -> [String: Any] in
                ["id": d.id.map { $0 as Any } ?? NSNull(), "runID": d.runID, "studyInstanceUID": d.studyInstanceUID,
                 "seriesInstanceUID": d.seriesInstanceUID, "modality": d.modality ?? NSNull(),
                 "predictedBodyPart": d.predictedBodyPart ?? NSNull(), "confidence": d.confidence,
                 "decision": d.kind.rawValue, "reason": d.reason, "evidence": evidence(d.evidenceJSON),
                 "currentBodyPartExamined": d.currentBodyPartExamined ?? NSNull(),
                 "newBodyPartExamined": d.newBodyPartExamined ?? NSNull(), "files": d.files,
                 "createdAt": timestamp(d.createdAt), "hash": d.hash ?? NSNull()]
            }
        }
        if let changes {
            object["changes"] = changes.map { c -> [String: Any] in
                ["id": c.id.map { $0 as Any } ?? NSNull(), "runID": c.runID, "seriesInstanceUID": c.seriesInstanceUID,
                 "sopInstanceUID": c.sopInstanceUID, "sourcePath": c.sourcePath, "outputPath": c.outputPath,
                 "tag": c.tag, "keyword": c.keyword, "oldValue": c.oldValue ?? NSNull(),
                 "newValue": c.newValue ?? NSNull(), "reason": c.reason, "createdAt": timestamp(c.createdAt),
                 "hash": c.hash ?? NSNull()]
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object,
                                                 options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A time as ISO 8601 UTC with milliseconds (`2026-09-21T14:13:20.125Z`).
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// One CSV field, quoted when it holds a comma, quote or line break.
    public static func field(_ value: String?) -> String {
        guard let value else { return "" }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func rows(_ header: [String], _ rows: [[String?]]) -> String {
        var out = header.joined(separator: ",") + "\r\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\r\n" }
        return out
    }

    /// The evidence as a JSON value when it parses, else as its text.
    private static func evidence(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
    }
}
