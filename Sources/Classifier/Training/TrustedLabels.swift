import Anatomy
import Foundation

/// The trusted labels of `shared/data/idc-labels`: kinds of IDC series (one collection's series
/// with the same Modality, folded Study/Series Description and BodyPartExamined), each labelled by
/// a reader with the region it shows. They replace IDC's stored BodyPartExamined as training and
/// calibration labels; the stored value stays an input.
///
/// Every kind becomes one example (each kind counted once, so that the 5,099 series of one nlst
/// kind do not outweigh a rare one), with the kind's most frequent header strings. The
/// collections of `reserved-collections.txt`, kept for evaluation elsewhere, are never read: the
/// file must sit beside `labels.csv`, and a kind of a reserved collection is dropped even when
/// the reserved list is given in code (``Options/reservedCollections``).
public enum TrustedLabels {
    /// Errors of reading the trusted labels.
    public enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// No `reserved-collections.txt` beside `labels.csv`: refusing to train without knowing
        /// which collections are kept for evaluation.
        case reservedListMissing(String)
        /// A column the reader needs is missing.
        case missingColumn(String, String)

        public var description: String {
            switch self {
            case .reservedListMissing(let path):
                "\(path): missing; the trusted labels are not read without the list of collections reserved for evaluation"
            case .missingColumn(let file, let column): "\(file): no column \(column)"
            }
        }
    }

    /// What to read.
    public struct Options: Sendable {
        /// Collections never read (besides the reserved ones): an evaluation set's collections.
        public var excludedCollections: Set<String> = []
        /// Keep PHANTOM kinds whose header names a body region (`text = no`): no header-only
        /// reader can know them, so they are scored apart and not trained on.
        public var keepHiddenPhantoms = false
        /// Creates default options.
        public init() {}
    }

    /// What ``read(_:taxonomy:options:)`` returns.
    public struct Table: Sendable {
        /// One example per kind: group = collection, label = the reader's class or UNKNOWN.
        public var examples: [TrainingExample] = []
        /// PHANTOM kinds whose header names a region (left out unless `keepHiddenPhantoms`).
        public var hiddenPhantoms: [TrainingExample] = []
        /// Kinds left out because their collection is reserved.
        public var reservedKinds = 0
        /// Kinds left out because their collection is excluded.
        public var excludedKinds = 0
        /// The reserved collections read from `reserved-collections.txt`.
        public var reserved: Set<String> = []
    }

    /// The collections listed in `reserved-collections.txt` beside `labels` (one per line, `#`
    /// comments); throws when the file is missing.
    public static func reservedCollections(beside labels: URL) throws -> Set<String> {
        let url = labels.deletingLastPathComponent().appendingPathComponent("reserved-collections.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw ReadError.reservedListMissing(url.path) }
        return Set(text.split(whereSeparator: \.isNewline).compactMap { line in
            let name = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            return name.isEmpty ? nil : name
        })
    }

    /// Reads `labels.csv`: one example per kind outside the reserved and excluded collections.
    public static func read(_ url: URL, taxonomy: Taxonomy, options: Options = Options()) throws -> Table {
        let reserved = try reservedCollections(beside: url)
        let table = try DelimitedText(contentsOf: url)
        func need(_ n: String) throws -> Int {
            guard let i = table.column(n) else { throw ReadError.missingColumn(url.lastPathComponent, n) }
            return i
        }
        let c = (id: try need("id"), collection: try need("collection_id"), modality: try need("modality"),
                 manufacturer: table.column("manufacturer") ?? -1, study: try need("study_description"),
                 series: try need("series_description"), bpe: try need("bpe_stored"), count: table.column("n_series") ?? -1,
                 sop: table.column("sop_class_uid") ?? -1, label: try need("label"), text: table.column("text") ?? -1)
        func get(_ row: [String], _ i: Int) -> String { i >= 0 && i < row.count ? row[i] : "" }
        var out = Table()
        out.reserved = reserved
        for row in table.rows {
            let collection = get(row, c.collection)
            if reserved.contains(collection) { out.reservedKinds += 1; continue }
            if options.excludedCollections.contains(collection) { out.excludedKinds += 1; continue }
            var a: [String: String] = [:]
            a["Modality"] = get(row, c.modality)
            a["Manufacturer"] = get(row, c.manufacturer)
            a["StudyDescription"] = get(row, c.study)
            a["SeriesDescription"] = get(row, c.series)
            a["BodyPartExamined"] = get(row, c.bpe)
            a["SOPClassUID"] = get(row, c.sop)
            let raw = get(row, c.label).trimmingCharacters(in: .whitespaces).uppercased()
            let label = raw == "UNKNOWN" || raw.isEmpty ? "UNKNOWN" : (taxonomy.normalize(raw).term ?? "UNKNOWN")
            var e = TrainingExample(metadata: SeriesMetadata(attributes: a.filter { !$0.value.isEmpty }), label: label,
                                    group: collection, seriesInstanceUID: get(row, c.id))
            e.seriesCount = max(Int(get(row, c.count)) ?? 1, 1)
            e.textSupport = get(row, c.text)
            if label == "PHANTOM" && e.textSupport == "no" && !options.keepHiddenPhantoms {
                out.hiddenPhantoms.append(e)
                continue
            }
            out.examples.append(e)
        }
        return out
    }
}
