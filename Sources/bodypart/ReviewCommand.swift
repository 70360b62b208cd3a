import Anatomy
import ArgumentParser
import Audit
import Foundation

/// `bodypart review ...`: the queue of series whose metadata and pixel answers disagree.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "List, show and settle the series where the metadata model and the pixel check disagree.",
        discussion: """
            `bodypart clean` puts a CT series in the queue (status open) when the pixel check \
            (policy key pixelCheck) confidently contradicts the metadata answer; the series is then \
            FLAGGED and no body part is written. A verdict is appended to the audit log (hash-chained, \
            never rewritten): accept (the pixel answer is right), reject (the metadata answer, or the \
            value sent, is right) or relabel TERM (neither). Verdicts are labels for retraining; they \
            change no file. A missing audit file exits 66, a series not in the queue 1.
            """,
        subcommands: [ReviewListCommand.self, ReviewShowCommand.self, ReviewAcceptCommand.self, ReviewRejectCommand.self,
                      ReviewRelabelCommand.self]
    )

    /// The review row as JSON (stable key order).
    static func json(_ r: ReviewRecord) -> JSON {
        .object([
            ("id", .int(Int(r.id ?? 0))), ("seriesInstanceUID", .string(r.seriesInstanceUID)),
            ("studyInstanceUID", .string(r.studyInstanceUID)), ("runID", .int(Int(r.runID))), ("modality", .string(r.modality)),
            ("currentBodyPartExamined", .string(r.currentBodyPartExamined)), ("metadataAnswer", .string(r.metadataAnswer)),
            ("metadataConfidence", r.metadataConfidence.map(JSON.number) ?? .null), ("pixelAnswer", .string(r.pixelAnswer)),
            ("pixelConfidence", r.pixelConfidence.map(JSON.number) ?? .null), ("pixelModel", .string(r.pixelModel)),
            ("status", .string(r.state.rawValue)), ("label", .string(r.label)), ("reviewer", .string(r.reviewer)),
            ("note", .string(r.note)), ("at", .string(AuditExport.timestamp(r.at))),
        ])
    }

    /// An answer and its confidence as text: `CHEST 0.913`, or `-`.
    static func answer(_ part: String?, _ confidence: Double?) -> String {
        guard let part else { return confidence.map { String(format: "- (%.3f)", $0) } ?? "-" }
        return confidence.map { String(format: "%@ %.3f", part, $0) } ?? part
    }
}

/// What the verdict commands share: the audit file, who, and why.
struct ReviewVerdictOptions: ParsableArguments {
    @OptionGroup var audit: AuditOptions

    @Option(help: "Who gives the verdict (default: $USER).")
    var reviewer: String?

    @Option(help: "Why, in a sentence (kept in the audit).")
    var note: String?

    /// Appends the verdict for `series`; prints the row written.
    func record(series: String, status: ReviewStatus, label: @escaping (ReviewRecord) -> String?) throws {
        guard FileManager.default.fileExists(atPath: audit.audit) else {
            Console.error("\(audit.audit): no such audit database; give the file a clean run wrote (--audit FILE)")
            throw ExitStatus.noInput
        }
        let who = reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        do throws(AuditError) {
            let store = try AuditStore(path: audit.audit)
            guard let current = try store.reviews(series: series).last else {
                throw AuditError.noReview(path: audit.audit, series: series)
            }
            let row = try store.recordReview(series: series, status: status, label: label(current), reviewer: who, note: note)
            Console.out("\(row.state.rawValue)\t\(row.label ?? "-")\t\(row.seriesInstanceUID)\t\(row.reviewer)")
            Console.flush()
        } catch {
            Console.error(error.description)
            throw AuditCommand.exitCode(for: error)
        }
    }
}
