import Anatomy

/// The TSV of `evaluate --predictions`: one row per series with its label, header text, and
/// per BodyPartExamined condition the most probable class, its confidence, whether it was
/// answered, and the reading (``FieldReading``) with its pattern; then the rule baseline with
/// BodyPartExamined hidden.
public enum PredictionTable {
    /// The table for `examples` and their predictions per condition (``BPECondition/standard`` order).
    public static func tsv(_ examples: [TrainingExample], _ per: [[Prediction]], taxonomy: Taxonomy) -> String {
        let rules = RuleBaseline(taxonomy: taxonomy)
        func clean(_ s: String?) -> String { (s ?? "").replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
        var lines = ["group\tseries_instance_uid\tlabel\tmodality\tbpe\tstudy\tseries\tprotocol"
            + BPECondition.standard.map { "\t\($0)_top\t\($0)_conf\t\($0)_answered\t\($0)_reading\t\($0)_pattern" }.joined() + "\trules_hidden"]
        for (i, e) in examples.enumerated() {
            var row = [e.group, e.seriesInstanceUID, e.label, clean(e.metadata["Modality"]), clean(e.metadata["BodyPartExamined"]),
                       clean(e.metadata["StudyDescription"]), clean(e.metadata["SeriesDescription"]), clean(e.metadata["ProtocolName"])]
            for p in per {
                row += [p[i].topClass, String(format: "%.4f", p[i].confidence), p[i].abstained ? "0" : "1",
                        p[i].reading?.bodyPart ?? "", p[i].reading?.pattern ?? ""]
            }
            row.append(rules.predict(e.metadata.withBodyPartExamined(nil)).bodyPart ?? "")
            lines.append(row.joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
