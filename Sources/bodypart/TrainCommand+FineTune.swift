import Anatomy
import ArgumentParser
import Audit
import Classifier
import Cleanup
import Foundation

extension TrainCommand {
    /// `train --site/--from-review/--teacher`: reads the label sources, fine-tunes, prints the
    /// verdict and the lineage, and writes the model only when the gate accepts it.
    func fineTune() throws {
        guard let out else { return }
        try Setup.dicom(rules: rules)
        let (taxonomy, baseModel) = try ClassifyCommand.load(model: base, rules: rules)
        let reader = SiteLabelReader(taxonomy: taxonomy)
        var labelled: [SiteExample] = [], sources: [String] = []
        func report(_ name: String, _ outcome: SiteLabelReader.Outcome) {
            labelled += outcome.examples
            sources.append("\(name): \(outcome.examples.count) series")
            var perLabel: [String: Int] = [:]
            for e in outcome.examples { perLabel[e.example.label, default: 0] += 1 }
            let counts = perLabel.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            Console.status("\(name): \(outcome.examples.count) labelled series" + (counts.isEmpty ? "" : " (\(counts))") + "\n")
            for (why, n) in outcome.skipped.sorted(by: { $0.key < $1.key }) { Console.status("  left out: \(why): \(n)\n") }
        }
        if let fromReview {
            let outcome: SiteLabelReader.Outcome
            do throws(AuditError) {
                outcome = try reader.reviews(try AuditStore(path: fromReview, readOnly: true))
            } catch {
                Console.error(error.description)
                throw AuditCommand.exitCode(for: error)
            }
            report("reviews in \(Self.name(fromReview))", outcome)
        }
        if !site.isEmpty {
            let scan = ClassifyCommand.scan(site.map(Self.absolute))
            Console.status("\(site.joined(separator: " ")): \(scan.series.count) series read, \(scan.failures.count) files skipped\n")
            if let labels {
                let table: SiteLabelTable
                do { table = try SiteLabelTable.read(URL(fileURLWithPath: labels), taxonomy: taxonomy) } catch let error as SiteLabelTable.ReadError {
                    Console.error(error.description)
                    throw ExitStatus.dataError
                } catch {
                    Console.error("\(labels): \(error.localizedDescription)")
                    throw ExitStatus.noInput
                }
                if !table.unrecognised.isEmpty {
                    Console.status("\(labels): labels that name no body part: "
                                   + table.unrecognised.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ") + "\n")
                }
                if !table.conflicting.isEmpty {
                    Console.status("\(labels): \(table.conflicting.count) series listed twice with different labels (the last row counts)\n")
                }
                report("labels \(Self.name(labels))", reader.csv(table, series: scan.series))
            }
            if teacher == .pixel {
                report(String(format: "pixel teacher (confidence ≥ %.2f)", teacherMinConfidence),
                       reader.pixelTeacher(series: scan.series, minConfidence: teacherMinConfidence))
            }
        }
        let merged = SiteLabels.merge(labelled)
        for line in merged.overruled { Console.status("  \(line)\n") }
        guard !merged.examples.isEmpty else {
            Console.error("no labelled series to fine-tune on; model not saved")
            throw ExitStatus.noInput
        }
        var tuner = FineTuner()
        tuner.trainer.epochs = epochs ?? tuner.trainer.epochs
        tuner.trainer.learningRate = learningRate
        tuner.trainer.seed = seed
        tuner.seed = seed
        tuner.anchor = anchor
        tuner.leafPrior = leafPrior
        tuner.validationShare = validationShare
        tuner.maxWrongRate = maxWrongRate
        tuner.gate.minClassSeries = gateMinClass
        tuner.maxLabelDisagreement = maxLabelDisagreement
        let perSource = LabelSource.allCases.compactMap { s in merged.perSource[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", ")
        let description = sources.joined(separator: "; ") + " (kept after merging: \(perSource))"
        let result = tuner.fineTune(base: baseModel, examples: merged.examples, taxonomy: taxonomy, sources: description) {
            Console.status($0 + "\n")
        }
        Console.out("base model \(baseModel.modelID); \(merged.examples.count) labelled series (\(perSource)); "
                    + "training \(result.training.count), validation \(result.validation.count)"
                    + (result.calibration.isEmpty ? "" : ", recalibration \(result.calibration.count)"))
        for (b, n) in zip(result.base, result.new) {
            Console.out("base  " + FineTuner.figures(b))
            Console.out("new   " + FineTuner.figures(n))
        }
        if let rb = result.referenceBase, let rn = result.referenceNew {
            Console.out(String(format: "taxonomy examples (forgetting check, %d): base %.1f%% correct, new %.1f%%", rb.labelled,
                               100 * rb.accuracyAll, 100 * rn.accuracyAll))
        }
        guard result.verdict.accepted else {
            Console.error("model not saved (\(baseModel.modelID) stays): " + result.verdict.refusals.joined(separator: "; "))
            throw ExitStatus.someSkipped
        }
        try Self.save(result.model, to: out)
        Console.out("accepted: " + result.verdict.gains.joined(separator: "; "))
        Console.out("wrote \(out) (\(result.model.modelID))")
        Console.out("lineage:")
        for (key, value) in result.lineage { Console.out("  \(key): \(value)") }
        Console.flush()
    }

    /// `train --export-pixel-manifest`: the series `--base` answers at its main threshold.
    func exportManifest() throws {
        guard let exportPixelManifest else { return }
        try Setup.dicom(rules: rules)
        let (_, model) = try ClassifyCommand.load(model: base, rules: rules)
        let scan = ClassifyCommand.scan(site.map(Self.absolute))
        if scan.series.isEmpty {
            Console.error("no DICOM series found under \(site.joined(separator: " "))")
            throw ExitStatus.noInput
        }
        let rows = PixelManifest.rows(series: scan.series, model: model)
        do {
            try ([PixelManifest.header] + rows).joined(separator: "\n").appending("\n")
                .write(toFile: exportPixelManifest, atomically: true, encoding: .utf8)
        } catch {
            Console.error("\(exportPixelManifest): cannot write (\(error.localizedDescription))")
            throw ExitStatus.cannotCreate
        }
        Console.status(String(format: "%@: %d of %d series answered at the main threshold %.3f of %@\n", exportPixelManifest,
                              rows.count, scan.series.count, model.threshold, model.modelID))
        if !scan.failures.isEmpty { throw ExitStatus.someSkipped }
    }

    /// A path made absolute (manifest folders, label sources).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A file's name for the lineage (no site paths in the model).
    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
}
