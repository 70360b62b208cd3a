import Anatomy
import Audit
import Classifier
import Foundation
import PixelCheck

/// Turns a site's own evidence into labelled series for fine-tuning (`bodypart train --site`,
/// `--from-review`, `--teacher pixel`): the metadata always comes from the DICOM headers (read
/// by ``SeriesScanner``, bodypart's earlier edits undone, as `classify` and `clean` see them);
/// the label from a CSV, an audited review, or the CT pixel check. Each example's group is its
/// StudyInstanceUID (the fine-tuning split keeps a study on one side). Never prints.
public struct SiteLabelReader: Sendable {
    /// Taxonomy for labels.
    public let taxonomy: Taxonomy
    /// Parallel reads (headers, slices).
    public var jobs: Int

    /// Creates a reader.
    public init(taxonomy: Taxonomy, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.taxonomy = taxonomy
        self.jobs = max(1, jobs)
    }

    /// What one source gave, and what it left out and why.
    public struct Outcome: Sendable {
        /// The labelled series.
        public var examples: [SiteExample] = []
        /// Series or rows left out, by reason (`abstained`, `files gone`).
        public var skipped: [String: Int] = [:]
    }

    /// An example for a scanned series.
    public static func example(_ s: ScannedSeries, label: String, source: LabelSource) -> SiteExample {
        SiteExample(example: TrainingExample(metadata: s.metadata, label: label,
                                             group: s.studyInstanceUID.isEmpty ? "series:" + s.seriesInstanceUID : s.studyInstanceUID,
                                             seriesInstanceUID: s.seriesInstanceUID),
                    source: source)
    }

    /// The scanned series that the labels CSV names.
    public func csv(_ table: SiteLabelTable, series: [ScannedSeries]) -> Outcome {
        var out = Outcome()
        var found = Set<String>()
        for s in series {
            guard let label = table.labels[s.seriesInstanceUID] else { continue }
            found.insert(s.seriesInstanceUID)
            out.examples.append(Self.example(s, label: label, source: .csv))
        }
        let missing = table.labels.keys.filter { !found.contains($0) }.count
        if missing > 0 { out.skipped["CSV rows whose series is not under the site folder"] = missing }
        let unrecognised = table.unrecognised.values.reduce(0, +)
        if unrecognised > 0 { out.skipped["CSV rows whose label names no body part"] = unrecognised }
        return out
    }

    /// The pixel check as teacher: for each CT series, its body part when it answers with at
    /// least `minConfidence`; abstentions and weaker answers are left out.
    public func pixelTeacher(series: [ScannedSeries], minConfidence: Double) -> Outcome {
        var out = Outcome()
        let checker = PixelChecker(jobs: jobs)
        for s in series {
            guard s.modality == "CT" else { out.skipped["not CT", default: 0] += 1; continue }
            let scan = PixelSeriesScanner.scan(s.files)
            guard let pixels = scan.series.first(where: { $0.seriesInstanceUID == s.seriesInstanceUID }) else {
                out.skipped["pixels unreadable", default: 0] += 1
                continue
            }
            let result = checker.check(pixels)
            guard let part = result.bodyPart, let label = taxonomy.normalize(part).term else {
                out.skipped["pixel check abstained", default: 0] += 1
                continue
            }
            guard result.confidence >= minConfidence else {
                out.skipped[String(format: "pixel answer below %.2f", minConfidence), default: 0] += 1
                continue
            }
            out.examples.append(Self.example(s, label: label, source: .pixel))
        }
        return out
    }

    /// Accepted and relabelled reviews of an audit database, with each series' metadata read
    /// again from the files the audit names (outputs first, else the files read; else every
    /// file of the run that opened the review). Series whose files are gone are counted;
    /// rejected and open reviews are not labels here.
    public func reviews(_ store: AuditStore) throws(AuditError) -> Outcome {
        var out = Outcome()
        var runSeries: [Int64: [String: ScannedSeries]] = [:]
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }
        let scanner = SeriesScanner(jobs: jobs)
        for review in try store.reviewQueue() {
            guard review.state == .accepted || review.state == .relabelled else {
                out.skipped["review \(review.state.rawValue)", default: 0] += 1
                continue
            }
            guard let raw = review.label, let label = taxonomy.normalize(raw).term else {
                out.skipped["review label names no body part", default: 0] += 1
                continue
            }
            let named = try store.files(series: review.seriesInstanceUID)
            var candidates = named.outputs.filter(exists)
            if candidates.isEmpty { candidates = named.sources.filter(exists) }
            var found = scanner.scan(paths: candidates).series.first { $0.seriesInstanceUID == review.seriesInstanceUID }
            if found == nil {
                // No change names the series: every file of the run, read once per run.
                if runSeries[review.runID] == nil {
                    let all = scanner.scan(paths: try store.files(runID: review.runID).filter(exists)).series
                    runSeries[review.runID] = Dictionary(all.map { ($0.seriesInstanceUID, $0) }) { a, _ in a }
                }
                found = runSeries[review.runID]?[review.seriesInstanceUID]
            }
            guard let s = found else {
                out.skipped["reviewed series whose files are gone", default: 0] += 1
                continue
            }
            out.examples.append(Self.example(s, label: label, source: .review))
        }
        return out
    }
}

/// The reverse of the learning loop: series the metadata model is confident about, as labels
/// for training an external pixel model (`bodypart train --export-pixel-manifest`).
public enum PixelManifest {
    /// The CSV header.
    public static let header = "series_instance_uid,folder,body_part,confidence,model_id"

    /// One row per series whose prediction reaches the model's main threshold (the agreement
    /// point does not count: these labels teach another model). `folder` is the deepest folder
    /// holding every file of the series (it may hold other series too).
    public static func rows(series: [ScannedSeries], model: BodyPartModel) -> [String] {
        var predictor = model.makePredictor()
        predictor.evidenceCount = 0
        var out: [String] = []
        for s in series where !s.seriesInstanceUID.hasPrefix("no-series:") {
            let p = predictor.predict(s.metadata)
            guard let part = p.bodyPart, p.confidence >= model.threshold else { continue }
            out.append([csv(s.seriesInstanceUID), csv(folder(s.files)), part, String(format: "%.4f", p.confidence),
                        model.modelID].joined(separator: ","))
        }
        return out
    }

    /// The deepest common folder of `files`.
    static func folder(_ files: [String]) -> String {
        var common: [Substring]? = nil
        for f in files {
            let parts = (f as NSString).deletingLastPathComponent.split(separator: "/", omittingEmptySubsequences: false)
            guard let c = common else { common = parts; continue }
            var n = 0
            while n < min(c.count, parts.count) && c[n] == parts[n] { n += 1 }
            common = Array(c.prefix(n))
        }
        let joined = (common ?? []).joined(separator: "/")
        return joined.isEmpty ? (files.first?.hasPrefix("/") == true ? "/" : ".") : joined
    }

    /// A CSV field, quoted when needed.
    static func csv(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
