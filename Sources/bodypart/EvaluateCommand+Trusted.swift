import Anatomy
import Classifier
import Foundation

extension EvaluateCommand {
    /// `evaluate --idc-labels`: grouped cross-validation by collection on the trusted labels,
    /// each fold's model built as `train --idc-labels` builds it; figures per BodyPartExamined
    /// condition, model beside rules, each kind once, weighted by series, `text = yes` kinds and
    /// phantoms apart.
    func crossValidateTrusted(_ path: String) throws {
        let (taxonomy, _) = try TrainCommand.taxonomy(rules: rules)
        let (examples, extra) = try TrainCommand.trustedData(labels: path, idc: data, radlex: radlex, taxonomy: taxonomy,
                                                             exclude: excludeSeries)
        let phantoms = try TrustedLabels.read(URL(fileURLWithPath: path), taxonomy: taxonomy).hiddenPhantoms
        var builder = ModelBuilder()
        builder.modelType = modelType
        tuning.apply(to: &builder)
        builder.dropRuleConflicts = false
        builder.trustedCalibration = false
        let cv = GroupedCrossValidation(folds: folds, builder: builder)
        let r = cv.runDetailed(examples: examples, extra: extra, taxonomy: taxonomy, apart: phantoms) { Console.status($0 + "\n") }
        let n = examples.count
        let tested = Array(r.tested.prefix(n)), apart = Array(r.tested.dropFirst(n))
        for (c, condition) in BPECondition.standard.enumerated() {
            for (who, preds) in [("model", r.predictions[c]), ("rules", r.rules[c])] {
                let lines = TrustedEvaluation.breakdown("\(who) \(condition)", examples: tested, predictions: Array(preds.prefix(n)),
                                                        phantoms: apart, phantomPredictions: Array(preds.dropFirst(n)), taxonomy: taxonomy)
                for f in lines { Console.out(f.line) }
            }
        }
        if let scoreDir { try writeScoreFiles(scoreDir, tested: r.tested, predictions: r.predictions, rules: r.rules) }
    }

    /// Writes `labels.csv` (score.py and baseline_keywords.py columns) and one JSON-lines file
    /// per condition for the model and the rules.
    func writeScoreFiles(_ dir: String, tested: [TrainingExample], predictions: [[Prediction]], rules: [[Prediction]]) throws {
        func q(_ s: String?) -> String { "\"" + (s ?? "").replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var csv = ["series_id,series_instance_uid,label,modality,study_description,series_description,protocol_name,bpe_raw,collection,n_series,text"]
        for e in tested {
            let m = e.metadata
            csv.append([q(e.seriesInstanceUID), q(e.seriesInstanceUID), q(e.label), q(m["Modality"]), q(m["StudyDescription"]),
                        q(m["SeriesDescription"]), q(""), q(m["BodyPartExamined"]), q(e.group), String(e.seriesCount),
                        q(e.textSupport)].joined(separator: ","))
        }
        func jsonl(_ preds: [Prediction]) -> String {
            zip(tested, preds).map { e, p in
                JSON.object([("series_id", .string(e.seriesInstanceUID)), ("seriesInstanceUID", .string(e.seriesInstanceUID)),
                             ("bodyPart", .string(p.abstained ? nil : p.bodyPart)), ("abstained", .bool(p.abstained)),
                             ("confidence", .number((p.confidence * 10000).rounded() / 10000)),
                             ("topClass", .string(p.topClass)), ("readingClass", .string(p.reading?.bodyPart)),
                             ("reading", .string(p.reading?.pattern)), ("basis", .string(p.basis.rawValue))]).rendered()
            }.joined(separator: "\n") + "\n"
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try (csv.joined(separator: "\n") + "\n").write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
            for (c, condition) in BPECondition.standard.enumerated() {
                try jsonl(predictions[c]).write(toFile: dir + "/model-\(condition).jsonl", atomically: true, encoding: .utf8)
                try jsonl(rules[c]).write(toFile: dir + "/rules-\(condition).jsonl", atomically: true, encoding: .utf8)
            }
        } catch {
            Console.error("\(dir): cannot write the score files (\(error.localizedDescription))")
            throw ExitStatus.cannotCreate
        }
    }
}
