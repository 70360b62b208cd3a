import Anatomy
import Foundation

/// Reads the data files training and evaluation start from — the trusted labels, the IDC series
/// table, the RadLex table, and the evaluation sets whose collections must stay unseen — and says
/// what it kept in one line (``IDCSet/summary``, ``TrustedSet/summary``) for the caller to show.
public enum TrainingSources {
    /// Why a data file could not be used.
    public enum SourceError: Error, CustomStringConvertible, Sendable {
        /// An exclusion CSV without a `series_instance_uid` column.
        case noSeriesColumn(String)
        /// The trusted labels could not be read.
        case trustedLabels(String)
        /// The IDC table or the RadLex table could not be read.
        case trainingData(String)

        public var description: String {
            switch self {
            case .noSeriesColumn(let path): "\(path): no series_instance_uid column to exclude series by"
            case .trustedLabels(let why): "cannot read the trusted labels: \(why)"
            case .trainingData(let why): "cannot read training data: \(why) (run `make data` for .data/idc-series.tsv)"
            }
        }
    }

    /// The IDC table as read and the RadLex examples.
    public struct IDCSet: Sendable {
        public var labelled: [TrainingExample]
        public var extra: [TrainingExample]
        public var unlabelled: [TrainingExample]
        /// Collections left out because they hold an excluded series.
        public var excludedCollections: [String]
        /// What was kept and left out, one line.
        public var summary: String
    }

    /// The trusted labels' kinds (reserved collections never read) and the RadLex examples.
    public struct TrustedSet: Sendable {
        public var examples: [TrainingExample]
        public var extra: [TrainingExample]
        /// What was kept and left out, one line.
        public var summary: String
    }

    /// The series UIDs of the `series_instance_uid` column of each CSV.
    public static func excludedSeries(_ paths: [String]) throws -> Set<String> {
        var out: Set<String> = []
        for path in paths {
            let table: DelimitedText
            do { table = try DelimitedText(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw SourceError.trainingData("\(path): \(error.localizedDescription)")
            }
            guard let column = table.column("series_instance_uid") else { throw SourceError.noSeriesColumn(path) }
            for row in table.rows where column < row.count && !row[column].isEmpty { out.insert(row[column]) }
        }
        return out
    }

    /// Reads `idc-series.tsv` without the collections holding a series of the `exclude` CSVs,
    /// and the RadLex table.
    public static func idc(_ path: String, radlex: String?, taxonomy: Taxonomy, exclude: [String] = [],
                           keepUnlabelled: Bool = false) throws -> IDCSet {
        var options = TrainingData.IDCOptions()
        options.keepUnlabelled = keepUnlabelled
        options.excludedSeries = try excludedSeries(exclude)
        do {
            let table = try TrainingData.idc(URL(fileURLWithPath: path), taxonomy: taxonomy, options: options)
            let extra = try radlex.map { try TrainingData.radlex(URL(fileURLWithPath: $0), taxonomy: taxonomy) } ?? []
            let skipped = exclude.isEmpty ? "" : "; \(table.excluded) rows of the \(table.excludedCollections.count) collections holding "
                + "excluded series left out (\(table.excludedCollections.joined(separator: ", ")))"
            let kept = keepUnlabelled ? " (\(table.unlabelledExamples.count) kept for distant supervision)" : " skipped"
            let summary = "\(path): \(table.labelled.count) labelled series kept, \(table.unlabelled) unlabelled\(kept)\(skipped); "
                + "\(extra.count) RadLex examples"
            return IDCSet(labelled: table.labelled, extra: extra, unlabelled: table.unlabelledExamples,
                          excludedCollections: table.excludedCollections, summary: summary)
        } catch {
            throw SourceError.trainingData(error.localizedDescription)
        }
    }

    /// Reads the trusted labels (one example per kind), leaving out the collections of `idc`
    /// holding a series of the `exclude` CSVs, and the RadLex table.
    public static func trusted(labels: String, idc: String?, radlex: String?, taxonomy: Taxonomy,
                               exclude: [String]) throws -> TrustedSet {
        var options = TrustedLabels.Options()
        if let idc, !exclude.isEmpty {
            options.excludedCollections = Set(try Self.idc(idc, radlex: nil, taxonomy: taxonomy, exclude: exclude).excludedCollections)
        }
        do {
            let table = try TrustedLabels.read(URL(fileURLWithPath: labels), taxonomy: taxonomy, options: options)
            let extra = try radlex.map { try TrainingData.radlex(URL(fileURLWithPath: $0), taxonomy: taxonomy) } ?? []
            let summary = "\(labels): \(table.examples.count) kinds kept; \(table.reservedKinds) of the \(table.reserved.count) "
                + "reserved collections and \(table.excludedKinds) of excluded collections "
                + "(\(options.excludedCollections.sorted().joined(separator: ", "))) left out; "
                + "\(table.hiddenPhantoms.count) phantoms whose header names a region set apart; \(extra.count) RadLex examples"
            return TrustedSet(examples: table.examples, extra: extra, summary: summary)
        } catch {
            throw SourceError.trustedLabels("\(error)")
        }
    }
}
