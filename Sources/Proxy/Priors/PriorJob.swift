import Audit
import Foundation

/// One prior fetch to do: the priors of a routed study for one destination.
/// Kept as `SPOOL/priors/KEY.json` until done, so a restart goes on with it.
struct PriorJob: Codable, Sendable, Hashable {
    var studyInstanceUID: String
    var seriesInstanceUID: String
    var patientID: String
    /// The new study's date (DA), the reference for `max_age`.
    var studyDate: String?
    /// The region the priors must match (the new series' predicted body part).
    var region: String
    var rule: String
    /// Destination `AE@host:port` (audit, metrics) and its AE title (the C-MOVE destination).
    var destination: String
    var destinationAE: String
    /// Archive `AE@host:port`.
    var archive: String
    var attempts = 0
    var next = Date()
    var lastError: String?
    /// True once a query answered and its priors were counted (found, matched): a retry does not count them again.
    var counted = false

    /// File-name-safe key: one job per study, region, rule and destination.
    var key: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(studyInstanceUID)|\(region)|\(rule)|\(destination)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    /// An audit row about this job; one about a `prior` study starts with its date and `regions` (`PriorNote`).
    func row(_ kind: String, prior: PriorStudy? = nil, regions: [String] = [], status: String? = nil, _ detail: String,
             runID: Int64) -> RoutingRecord {
        RoutingRecord(runID: runID, kind: kind, studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID,
                      rule: rule, destination: destination, priorStudyInstanceUID: prior?.studyInstanceUID, status: status,
                      detail: prior.map { PriorNote(studyDate: $0.studyDate, regions: regions, text: detail).detail } ?? detail)
    }

    /// DA → date (UTC midnight), nil when not a date.
    static func date(_ da: String?) -> Date? {
        guard let da, da.count >= 8, let y = Int(da.prefix(4)), let m = Int(da.dropFirst(4).prefix(2)),
              let d = Int(da.dropFirst(6).prefix(2)) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: y, month: m, day: d))
    }
}

/// The prior fetches a spool holds (`proxy status`; works beside a running proxy).
public struct PriorBacklog: Sendable {
    /// Fetches not done yet.
    public var waiting = 0
    /// Those among them that failed at least once (waiting for a retry).
    public var retrying = 0
    /// The newest failure, and when the next retry is due.
    public var lastError: String?
    public var nextRetry: Date?

    /// Reads `SPOOL/priors/`.
    public init(spoolRoot: String) {
        let folder = spoolRoot + "/priors"
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name),
                  let job = try? decoder.decode(PriorJob.self, from: data) else { continue }
            waiting += 1
            if job.attempts > 0 {
                retrying += 1
                lastError = job.lastError
                nextRetry = min(nextRetry ?? job.next, job.next)
            }
        }
    }
}
