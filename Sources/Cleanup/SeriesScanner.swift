import Classifier
import DicomCore
import DicomIO
import Dispatch
import Foundation
import Synchronization

/// One series found by a scan.
public struct ScannedSeries: Sendable {
    public let studyInstanceUID: String
    public let seriesInstanceUID: String
    /// The series' files, sorted by path.
    public let files: [String]
    /// Metadata as the modality sent it (bodypart's own earlier changes undone).
    public let metadata: SeriesMetadata
    /// Body Part Examined as the modality sent it.
    public var originalBodyPartExamined: String? { metadata["BodyPartExamined"] }
    public var modality: String? { metadata["Modality"] }
    /// PatientID and AccessionNumber of its first instance that has one (for the audit's search).
    public var patientID: String? = nil
    public var accessionNumber: String? = nil
}

/// A path a scan could not use, with the reason.
public struct ScanFailure: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    /// `not-dicom`, `truncated`, `malformed`, `io`, `walk`…
    public let kind: String
    public let message: String
    public var description: String { message }
}

/// What a scan found.
public struct ScanResult: Sendable {
    /// Series in a stable order (study, then series UID).
    public var series: [ScannedSeries]
    public var failures: [ScanFailure]
    public var filesSeen: Int
}

/// Walks paths, reads every header (in parallel), and groups instances into
/// series by (StudyInstanceUID, SeriesInstanceUID) across files and folders.
/// Memory grows with the number of series and file paths, not with headers.
public struct SeriesScanner: Sendable {
    /// Parallel header reads.
    public var jobs: Int
    /// Called after each batch with (files seen, series so far); for progress.
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.jobs = max(1, jobs)
        self.progress = progress
    }

    struct Key: Hashable, Comparable {
        let study: String
        let series: String
        static func < (a: Key, b: Key) -> Bool { (a.study, a.series) < (b.study, b.series) }
    }

    struct Group {
        var files: [String] = []
        var accumulator = SeriesMetadata.Accumulator()
        var patientID: String?
        var accessionNumber: String?
    }

    /// Scans `paths` (files or folders, recursively). With `keeping`, the
    /// parsed objects of usable files are left there for the write, up to
    /// its limit (`clean` parses each file once; see ParsedObjects).
    public func scan(paths: [String], keeping kept: ParsedObjects? = nil) -> ScanResult {
        var groups: [Key: Group] = [:]
        var failures: [ScanFailure] = []
        var seen = 0
        var batch: [String] = []
        let batchSize = 256 * jobs

        func flush() {
            let headers = readAll(batch, keeping: kept, room: kept?.room ?? 0)
            for (path, outcome) in zip(batch, headers) {
                switch outcome {
                case .success(let header):
                    // A header cut at an element boundary reads without error;
                    // a file stored under a SOP Instance UID whose dataset lacks
                    // it is such a cut: never edit it.
                    if let reason = SeriesScanner.incomplete(header) {
                        let error = DicomError.malformed(path: path, detail: reason)
                        failures.append(ScanFailure(path: path, kind: error.kind, message: error.description))
                        continue
                    }
                    let series = header.seriesInstanceUID ?? "no-series:\(path)"
                    let key = Key(study: header.studyInstanceUID ?? "", series: series)
                    groups[key, default: Group()].files.append(path)
                    groups[key]!.accumulator.add(OriginalValues.originalAttributes(of: header))
                    if groups[key]!.patientID == nil { groups[key]!.patientID = SeriesScanner.text(header, .patientID) }
                    if groups[key]!.accessionNumber == nil {
                        groups[key]!.accessionNumber = SeriesScanner.text(header, .accessionNumber)
                    }
                case .failure(let error):
                    failures.append(ScanFailure(path: path, kind: error.kind, message: error.description))
                }
            }
            batch.removeAll(keepingCapacity: true)
            progress?(seen, groups.count)
        }

        for entry in FileWalker(paths) {
            switch entry {
            case .file(let path):
                seen += 1
                batch.append(path)
                if batch.count >= batchSize { flush() }
            case .problem(let path, let reason):
                failures.append(ScanFailure(path: path, kind: "walk", message: "\(path): \(reason)"))
            }
        }
        if !batch.isEmpty { flush() }
        let series = groups.keys.sorted().map { key in
            let group = groups[key]!
            return ScannedSeries(studyInstanceUID: key.study, seriesInstanceUID: key.series,
                                 files: group.files.sorted(), metadata: group.accumulator.metadata,
                                 patientID: group.patientID, accessionNumber: group.accessionNumber)
        }
        return ScanResult(series: series, failures: failures, filesSeen: seen)
    }

    /// Why a header is incomplete, or nil: the file's meta header names the
    /// SOP Instance it stores (Media Storage SOP Instance UID) and its
    /// dataset has no SOP Instance UID: a header cut before it (the proxy
    /// refuses such an object for the same reason). A bare dataset without
    /// a meta header, or one lacking only its Series Instance UID (worklists,
    /// test files), is judged by what it holds, as before.
    static func incomplete(_ header: DicomHeader) -> String? {
        guard let stored = header.meta.string(Tag(0x0002, 0x0003)), !stored.isEmpty else { return nil }
        guard header.dataset.string(.sopInstanceUID)?.isEmpty ?? true else { return nil }
        return "no SOPInstanceUID in a file stored as SOP Instance \(stored): an incomplete (cut) header, not edited"
    }

    /// A text value of the header, trimmed; nil when absent or empty.
    static func text(_ header: DicomHeader, _ tag: Tag) -> String? {
        guard let value = header.dataset.string(tag)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// The dataset elements a scan needs: the classifier's attributes, the
    /// UIDs, and Original Attributes Sequence (bodypart's earlier changes).
    static let reads: @Sendable (Tag) -> Bool = {
        let tags = Set(Tag.classifierKeywords.compactMap { Tag.byKeyword[$0] })
            .union([.studyInstanceUID, .seriesInstanceUID, .sopInstanceUID, .originalAttributesSequence, .patientID,
                    .accessionNumber])
        return { tags.contains($0) }
    }()

    /// The header of `path` from one whole (lazy) parse whose object is kept
    /// for the write; nil when that does not work (the file cannot be parsed
    /// whole, its character set needs DCMTK's converter, or the header is
    /// incomplete): then the header is read as always, errors included.
    static func readKeeping(_ path: String, include: @escaping (Tag) -> Bool, into kept: ParsedObjects) -> DicomHeader? {
        guard let object = try? DicomObject(lazilyReading: path), let header = object.utf8Header(including: include),
              incomplete(header) == nil
        else { return nil }
        kept.keep(object, for: path)
        return header
    }

    /// Reads headers of `paths` on `jobs` threads, results in input order;
    /// the objects of the first `room` paths are parsed whole and kept.
    func readAll(_ paths: [String], keeping kept: ParsedObjects? = nil, room: Int = 0) -> [Result<DicomHeader, DicomError>] {
        let results = Mutex<[Int: Result<DicomHeader, DicomError>]>([:])
        let chunk = max(1, (paths.count + jobs - 1) / jobs)
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            let start = worker * chunk
            guard start < paths.count else { return }
            let reader = HeaderReader()
            let include = SeriesScanner.reads
            var local: [(Int, Result<DicomHeader, DicomError>)] = []
            for index in start..<min(paths.count, start + chunk) {
                if let kept, index < room, kept.wants(paths[index]),
                   let header = SeriesScanner.readKeeping(paths[index], include: include, into: kept) {
                    local.append((index, .success(header)))
                    continue
                }
                do throws(DicomError) {
                    local.append((index, .success(try reader.read(paths[index], include: include))))
                } catch {
                    local.append((index, .failure(error)))
                }
            }
            results.withLock { all in for (i, r) in local { all[i] = r } }
        }
        return results.withLock { all in (0..<paths.count).map { all[$0]! } }
    }
}
