import Anatomy
import Foundation

/// One labelled series for training or evaluation.
public struct TrainingExample: Sendable {
    /// Header metadata (with its own `BodyPartExamined`, which augmentation may hide).
    public var metadata: SeriesMetadata
    /// The class (defined term) it should be classified as, or "UNKNOWN".
    public var label: String
    /// Source group (IDC collection, "radlex", a site) for grouped splits.
    public var group: String
    /// Series identifier, when known (a trusted-label kind: its id).
    public var seriesInstanceUID: String
    /// How many series this example stands for (a trusted-label kind: its IDC series), for
    /// figures weighted by series.
    public var seriesCount = 1
    /// Whether the series' own header supports the label (`yes`, `partial`, `no`; empty: not said).
    public var textSupport = ""

    /// Creates an example.
    public init(metadata: SeriesMetadata, label: String, group: String, seriesInstanceUID: String = "") {
        self.metadata = metadata
        self.label = label
        self.group = group
        self.seriesInstanceUID = seriesInstanceUID
    }
}

/// Readers that turn the project's data files into training examples.
public enum TrainingData {
    /// Options for reading the IDC series table.
    public struct IDCOptions: Sendable {
        /// Most examples kept per (collection, label).
        public var capPerCollectionClass = 1000
        /// Most copies kept of identical (collection, label, texts) rows.
        public var maxDuplicates = 3
        /// Series that must not be trained on (an evaluation set's): every row of a collection
        /// holding one of them is skipped, so that the evaluation set stays an unseen site (a
        /// study's other series are near copies, a collection's other studies share its protocol
        /// names and its labelling habits).
        public var excludedSeries: Set<String> = []
        /// Keep the unlabelled series as examples (``IDCTable/unlabelledExamples``), for distant
        /// supervision; otherwise they are only counted.
        public var keepUnlabelled = false
        /// Creates default options.
        public init() {}
    }

    /// What ``idc(_:taxonomy:options:)`` read.
    public struct IDCTable: Sendable {
        /// Series whose BodyPartExamined normalizes to a class, labelled with it.
        public var labelled: [TrainingExample] = []
        /// Number of series without such a label.
        public var unlabelled = 0
        /// Those series with `keepUnlabelled` (label empty; capped and de-duplicated like the
        /// labelled ones), for ``DistantSupervision``.
        public var unlabelledExamples: [TrainingExample] = []
        /// Rows left out because their collection holds an excluded series.
        public var excluded = 0
        /// Those collections.
        public var excludedCollections: [String] = []
    }

    /// Reads `idc-series.tsv` (from `Scripts/prepare_idc.py`). Rows whose BodyPartExamined does
    /// not normalize to a class are counted in `unlabelled` and kept in `unlabelledExamples`.
    public static func idc(_ url: URL, taxonomy: Taxonomy, options: IDCOptions = IDCOptions()) throws -> IDCTable {
        let table = try DelimitedText(contentsOf: url)
        func col(_ n: String) -> Int { table.column(n) ?? -1 }
        let c = (collection: col("collection_id"), uid: col("series_instance_uid"), modality: col("modality"),
                 manufacturer: col("manufacturer"), model: col("manufacturer_model_name"),
                 study: col("study_description"), series: col("series_description"), bpe: col("body_part_examined"),
                 sop: col("sop_class_uid"), sex: col("patient_sex"), age: col("patient_age"), count: col("instance_count"))
        var normalized: [String: String?] = [:]
        var seen: [String: Int] = [:]
        var perClass: [String: Int] = [:]
        var out = IDCTable()
        func get(_ row: [String], _ i: Int) -> String { i >= 0 && i < row.count ? row[i] : "" }
        var excludedCollections: Set<String> = []
        if !options.excludedSeries.isEmpty {
            for row in table.rows where options.excludedSeries.contains(get(row, c.uid)) {
                excludedCollections.insert(get(row, c.collection))
            }
        }
        for row in table.rows {
            if !excludedCollections.isEmpty, excludedCollections.contains(get(row, c.collection)) {
                out.excluded += 1
                continue
            }
            let bpe = get(row, c.bpe)
            let label: String?
            if let cached = normalized[bpe] { label = cached } else {
                label = bpe.isEmpty ? nil : taxonomy.normalize(bpe).term
                normalized[bpe] = label
            }
            if label == nil {
                out.unlabelled += 1
                if !options.keepUnlabelled { continue }
            }
            let collection = get(row, c.collection)
            let key = [collection, label ?? "", get(row, c.modality), get(row, c.study), get(row, c.series), bpe, get(row, c.sop)]
                .joined(separator: "\u{1}")
            seen[key, default: 0] += 1
            guard seen[key]! <= options.maxDuplicates else { continue }
            let classKey = collection + "\u{1}" + (label ?? "")
            perClass[classKey, default: 0] += 1
            guard perClass[classKey]! <= options.capPerCollectionClass * (label == nil ? 3 : 1) else { continue }
            var a: [String: String] = [:]
            a["Modality"] = get(row, c.modality)
            a["Manufacturer"] = get(row, c.manufacturer)
            a["ManufacturerModelName"] = get(row, c.model)
            a["StudyDescription"] = get(row, c.study)
            a["SeriesDescription"] = get(row, c.series)
            a["BodyPartExamined"] = bpe
            a["SOPClassUID"] = get(row, c.sop)
            a["PatientSex"] = get(row, c.sex)
            a["PatientAge"] = get(row, c.age)
            let meta = SeriesMetadata(attributes: a.filter { !$0.value.isEmpty }, instanceCount: Int(get(row, c.count)) ?? 1)
            let example = TrainingExample(metadata: meta, label: label ?? "", group: collection, seriesInstanceUID: get(row, c.uid))
            if label == nil { out.unlabelledExamples.append(example) } else { out.labelled.append(example) }
        }
        out.excludedCollections = excludedCollections.sorted()
        return out
    }

    /// Reads the RadLex playbook table: each procedure's short and long name become two
    /// StudyDescription-only examples labelled with its body region (group "radlex").
    public static func radlex(_ url: URL, taxonomy: Taxonomy) throws -> [TrainingExample] {
        let table = try DelimitedText(contentsOf: url)
        guard let s = table.column("short_name"), let l = table.column("long_name"),
              let m = table.column("modality"), let r = table.column("body_region") else { return [] }
        var out: [TrainingExample] = []
        for row in table.rows {
            guard !row[r].isEmpty, let region = taxonomy.normalize(row[r]).term else { continue }
            for text in [row[s], row[l]] where !text.isEmpty {
                // The playbook's region is coarse (LOWER EXTREMITY for a knee): take the class the
                // name itself names when the region contains it.
                var label = region
                if let named = taxonomy.ruleMatch(text).first, taxonomy.contains(region, named) { label = named }
                let modality = row[m].split(separator: " ").first.map(String.init) ?? ""
                var a = ["StudyDescription": text]
                if !modality.isEmpty { a["Modality"] = modality }
                out.append(TrainingExample(metadata: SeriesMetadata(attributes: a), label: label, group: "radlex"))
            }
        }
        return out
    }

    /// Examples from the taxonomy itself: every localizing defined term's code meaning and name
    /// as a StudyDescription and as a SeriesDescription, labelled with the term's class
    /// (group "taxonomy"). They give every class examples, including those IDC lacks (KNEE, HAND).
    public static func taxonomyExamples(_ taxonomy: Taxonomy) -> [TrainingExample] {
        var out: [TrainingExample] = []
        for term in taxonomy.allTerms where term.isLocalizing && taxonomy.classes.contains(term.region) {
            var texts = [term.codeMeaning]
            if term.definedTerm != term.codeMeaning.uppercased() { texts.append(term.definedTerm) }
            for text in texts {
                for keyword in ["StudyDescription", "SeriesDescription"] {
                    out.append(TrainingExample(metadata: SeriesMetadata(attributes: [keyword: text]), label: term.region,
                                               group: "taxonomy"))
                }
            }
        }
        return out
    }
}
