import Foundation

/// Reads a labels CSV in the layout of `shared/data/dicom-dev/labels.csv` (columns
/// study_description, series_description, protocol_name, modality, manufacturer, model,
/// bpe_raw, sop_class, n_instances, series_instance_uid, label) into evaluation examples.
///
/// Used for evaluation only, when the DICOM files themselves are not read.
public enum LabelsCSV {
    /// Reads the CSV; the group of each example is its `source` column.
    public static func examples(_ url: URL) throws -> [TrainingExample] {
        let table = try DelimitedText(contentsOf: url)
        func get(_ row: [String], _ name: String) -> String {
            guard let i = table.column(name), i < row.count else { return "" }
            return row[i]
        }
        return table.rows.map { row in
            var a: [String: String] = [:]
            a["StudyDescription"] = get(row, "study_description")
            a["SeriesDescription"] = get(row, "series_description")
            a["ProtocolName"] = get(row, "protocol_name")
            a["Modality"] = get(row, "modality")
            a["Manufacturer"] = get(row, "manufacturer")
            a["ManufacturerModelName"] = get(row, "model")
            a["BodyPartExamined"] = get(row, "bpe_raw")
            let meta = SeriesMetadata(attributes: a.filter { !$0.value.isEmpty },
                                      instanceCount: Int(get(row, "n_instances")) ?? 1)
            return TrainingExample(metadata: meta, label: get(row, "label"), group: get(row, "source"),
                                   seriesInstanceUID: get(row, "series_instance_uid"))
        }
    }
}
