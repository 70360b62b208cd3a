import Anatomy
import Foundation

/// Where a site label came from; when several sources label the same series, the earlier case
/// wins (a reviewer's verdict over a CSV over the pixel teacher).
public enum LabelSource: String, Sendable, CaseIterable, Comparable {
    /// An accepted or relabelled review in the audit (`--from-review`).
    case review
    /// The site's labels CSV (`--labels`).
    case csv
    /// The CT pixel check as teacher (`--teacher pixel`).
    case pixel

    /// Priority order: review < csv < pixel.
    public static func < (a: LabelSource, b: LabelSource) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A site's labels CSV: `series_instance_uid,body_part`, or the columns of
/// `shared/data/dicom-dev/labels.csv` (`series_instance_uid`, `label`). Labels are normalized
/// through the taxonomy (`L_SPINE` → LSPINE, `LUNG` → CHEST); `UNKNOWN` is kept as such (not
/// trained on; counted in validation for abstention); labels that name no class are reported.
public struct SiteLabelTable: Sendable {
    /// SeriesInstanceUID → class (or UNKNOWN).
    public var labels: [String: String]
    /// Raw labels that name no class of the taxonomy, with their row counts.
    public var unrecognised: [String: Int]
    /// Data rows read.
    public var rows: Int
    /// Series listed more than once with different labels (the last row wins).
    public var conflicting: [String]

    /// Errors reading the table.
    public enum ReadError: Error, CustomStringConvertible, Sendable {
        case columns(String, [String])
        public var description: String {
            switch self {
            case .columns(let path, let header):
                "\(path): needs a series_instance_uid column and a body_part (or label) column; found \(header.joined(separator: ","))"
            }
        }
    }

    /// Reads a CSV (or `.tsv`) file.
    public static func read(_ url: URL, taxonomy: Taxonomy) throws -> SiteLabelTable {
        let table = try DelimitedText(contentsOf: url)
        guard let u = table.column("series_instance_uid"), let l = table.column("body_part") ?? table.column("label") else {
            throw ReadError.columns(url.path, table.header)
        }
        var out = SiteLabelTable(labels: [:], unrecognised: [:], rows: 0, conflicting: [])
        var cache: [String: String?] = [:]
        for row in table.rows {
            let uid = row[u].trimmingCharacters(in: .whitespaces), raw = row[l].trimmingCharacters(in: .whitespaces)
            guard !uid.isEmpty else { continue }
            out.rows += 1
            let label: String?
            if let hit = cache[raw] { label = hit } else {
                label = raw.uppercased() == "UNKNOWN" ? "UNKNOWN" : (raw.isEmpty ? nil : taxonomy.normalize(raw).term)
                cache[raw] = label
            }
            guard let label else { out.unrecognised[raw.isEmpty ? "(empty)" : raw, default: 0] += 1; continue }
            if let before = out.labels[uid], before != label { out.conflicting.append(uid) }
            out.labels[uid] = label
        }
        return out
    }
}

/// One labelled series from one source.
public struct SiteExample: Sendable {
    /// The series, its label (a class or UNKNOWN) and its group (study).
    public var example: TrainingExample
    /// Where the label came from.
    public var source: LabelSource

    /// Creates a labelled series.
    public init(example: TrainingExample, source: LabelSource) {
        self.example = example
        self.source = source
    }
}

/// Combines the label sources: one example per SeriesInstanceUID, the label of the highest
/// priority source (``LabelSource``).
public enum SiteLabels {
    /// What merging kept.
    public struct Merged: Sendable {
        /// One example per series, in the order first seen.
        public var examples: [TrainingExample]
        /// Series kept per source.
        public var perSource: [LabelSource: Int]
        /// Series labelled by more than one source, with the label the losing source gave
        /// differing from the winner's (`csv CHEST < review ABDOMEN`).
        public var overruled: [String]
        /// Series labelled by more than one source with the same label.
        public var agreeing: Int
    }

    /// Merges labelled series from every source.
    public static func merge(_ labelled: [SiteExample]) -> Merged {
        var best: [String: SiteExample] = [:], order: [String] = []
        var overruled: [String] = [], agreeing = 0
        for e in labelled {
            let uid = e.example.seriesInstanceUID
            guard let current = best[uid] else { best[uid] = e; order.append(uid); continue }
            let (winner, loser) = e.source < current.source ? (e, current) : (current, e)
            if winner.example.label == loser.example.label { agreeing += 1 } else {
                overruled.append("\(uid): \(loser.source.rawValue) \(loser.example.label) overruled by \(winner.source.rawValue) \(winner.example.label)")
            }
            best[uid] = winner
        }
        var perSource: [LabelSource: Int] = [:]
        for uid in order { perSource[best[uid]!.source, default: 0] += 1 }
        return Merged(examples: order.map { best[$0]!.example }, perSource: perSource, overruled: overruled, agreeing: agreeing)
    }
}
