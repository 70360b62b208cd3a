import Audit
import Classifier
import Cleanup
import DicomIO
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A series' decision as the spool keeps it: the decision and the time
/// stamp written into every instance, so that every instance, and every
/// later re-delivery after a restart, gets identical edits.
public struct SeriesRecord: Codable, Sendable, Hashable {
    public var decision: SeriesDecision
    /// DICOM DT stamped into Original Attributes Sequence and the private block.
    public var dateTime: String
    /// The pixel check's outcome once the series was checked (after
    /// forwarding: it never changes the decision the instances are edited by).
    public var pixelCheck: PixelCheckRecord?
    /// Where the series goes (with `routes:`; nil without: every destination).
    public var route: RoutingDecision?
}

/// What the proxy's pixel check found for a series (PixelWorker).
public struct PixelCheckRecord: Codable, Sendable, Hashable {
    /// The pixel model's opinion.
    public var opinion: PixelOpinion
    /// The decision the cross-check arrives at (FLAGGED when the answers disagree).
    public var decision: DecisionKind
    /// True when the metadata and pixel answers disagree (a review was opened).
    public var disagreement: Bool
    /// Objects checked.
    public var objects: Int
    /// When, ISO 8601 (UTC).
    public var checkedAt: String
}

/// One decision per series, made on the first instance forwarded (the first
/// that arrived) and persisted in `SPOOL/series/UID.json` before any
/// instance of the series leaves.
final class SeriesDecisions: Sendable {
    private let spool: Spool
    private let enricher: Enricher
    private let router: SeriesRouter?
    private let cache = Mutex<[String: SeriesRecord]>([:])
    /// The series decided so far per study, for the study context (in memory only: after a
    /// restart a study's earlier series are not known; see docs/proxy.md).
    private let studies = Mutex(StudyMemory())

    init(spool: Spool, enricher: Enricher, router: SeriesRouter? = nil) {
        self.spool = spool
        self.enricher = enricher
        self.router = router
    }

    /// The series' record; decided from `firstInstance` (a spool file) when
    /// there is none yet. `isNew` tells the caller to audit it.
    func record(series: String, firstInstance path: String) throws -> (record: SeriesRecord, isNew: Bool) {
        try cache.withLock { cache in
            if let known = cache[series] { return (known, false) }
            let file = file(of: series)
            if let data = FileManager.default.contents(atPath: file),
               var stored = try? JSONDecoder().decode(SeriesRecord.self, from: data) {
                if stored.route == nil, let router {
                    // Decided before `routes:` was configured: routed now, once.
                    stored.route = router.route(stored.decision, dataset: try HeaderReader().read(path).dataset)
                    try SeriesDecisions.write(stored, to: file)
                }
                cache[series] = stored
                return (stored, false)
            }
            let header = try HeaderReader().read(path)
            let study = header.studyInstanceUID ?? ""
            let earlier = study.isEmpty ? [] : studies.withLock { $0.series(of: study) }
            let (decision, metadata) = enricher.decide(firstInstance: header, study: earlier)
            if !study.isEmpty { studies.withLock { $0.add(metadata, study: study) } }
            var record = SeriesRecord(decision: decision, dateTime: Enricher.dateTime())
            record.route = router?.route(record.decision, dataset: header.dataset)
            try SeriesDecisions.write(record, to: file)
            cache[series] = record
            return (record, true)
        }
    }

    /// The series' record when it has been decided, without deciding. Never
    /// waits for a decision being made (it then reads the file, or says nil).
    func known(series: String) -> SeriesRecord? {
        if let cached = cache.withLockIfAvailable({ $0[series] }), let cached { return cached }
        guard let data = FileManager.default.contents(atPath: file(of: series)),
              let stored = try? JSONDecoder().decode(SeriesRecord.self, from: data) else { return nil }
        _ = cache.withLockIfAvailable { cache in
            if cache[series] == nil { cache[series] = stored }
        }
        return stored
    }

    /// Adds the pixel check's outcome to the series' record (persisted;
    /// written outside the lock, so no forwarder waits for the fsync).
    func notePixelCheck(series: String, _ check: PixelCheckRecord) throws {
        let file = file(of: series)
        guard var record = known(series: series) else {
            throw ProxyError.spool(path: file, detail: "no decision recorded for the series")
        }
        record.pixelCheck = check
        try SeriesDecisions.write(record, to: file)
        cache.withLock { $0[series] = record }
    }

    private func file(of series: String) -> String { spool.seriesFolder + "/" + SpoolEntry.safe(series) + ".json" }

    /// Writes atomically: temporary file, fsync, rename, folder fsync.
    static func write(_ record: SeriesRecord, to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(record)
        let temporary = file + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw ProxyError.spool(path: temporary, detail: "cannot write the series decision")
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary, file) == 0 else {
            throw ProxyError.spool(path: file, detail: "cannot save the series decision: \(Spool.errnoText())")
        }
        _ = Spool.syncFolder((file as NSString).deletingLastPathComponent)
    }
}

/// The metadata of the series decided so far, per study, bounded: the newest `maxStudies`
/// studies, the first `maxSeries` series of each (a study's region is settled by its first
/// answered series; a study of hundreds of series adds nothing after them).
struct StudyMemory: Sendable {
    static let maxStudies = 512
    static let maxSeries = 32
    private var byStudy: [String: [SeriesMetadata]] = [:]
    private var order: [String] = []

    func series(of study: String) -> [SeriesMetadata] { byStudy[study] ?? [] }

    mutating func add(_ metadata: SeriesMetadata, study: String) {
        if byStudy[study] == nil {
            order.append(study)
            if order.count > Self.maxStudies { byStudy[order.removeFirst()] = nil }
        }
        if byStudy[study, default: []].count < Self.maxSeries { byStudy[study, default: []].append(metadata) }
    }
}
