import Anatomy

/// Calibration: the temperature and every operating point, fitted on held-out predictions.
extension ModelBuilder {
    /// Fits temperature and thresholds on held-out examples with BodyPartExamined hidden: on the
    /// trusted ones (``trustedMask(_:taxonomy:)``) when `trustedCalibration`, else on all. The
    /// figures on all (noisy labels) and on the trusted ones go to `progress` and `model.info`.
    public func calibrate(_ model: inout BodyPartModel, on calibration: [TrainingExample], taxonomy: Taxonomy,
                          progress: (String) -> Void = { _ in }) {
        fit(&model, collect(model, on: calibration), taxonomy: taxonomy, progress: progress)
    }

    /// Fits `model`'s temperature and thresholds on held-out predictions (of it, or of models
    /// trained like it on other folds: the class order must be the same).
    func fit(_ model: inout BodyPartModel, _ data: CalibrationData, taxonomy: Taxonomy, progress: (String) -> Void) {
        let calibration = data.examples, logits = data.logits, ruleClass = data.ruleClass
        let named = data.named.count == calibration.count ? data.named : calibration.map { _ in true }
        let index = Dictionary(uniqueKeysWithValues: model.classes.enumerated().map { ($1, $0) })
        let predictor = model.makePredictor()
        let labels = calibration.map { index[$0.label] ?? -1 }
        let trusted = trustedCalibration ? Self.trustedMask(calibration, taxonomy: taxonomy) : calibration.map { _ in true }
        let fit = calibration.indices.filter { trusted[$0] }
        let known = fit.filter { labels[$0] >= 0 }
        if !known.isEmpty {
            model.temperature = Calibration.fitTemperature(logits: known.map { logits[$0] }, labels: known.map { labels[$0] })
        }
        let groups = Predictor.equivalenceGroups(model)
        var confidences: [Double] = [], correct: [Bool] = [], agrees: [Bool] = [], bests: [Int] = [], partMasses: [Double] = []
        var coarser: [(Int, Double)?] = []
        for (i, var zi) in logits.enumerated() {
            Calibration.softmax(&zi, temperature: Float(model.temperature))
            let (best, confidence) = Predictor.decide(zi, groups: groups)
            coarser.append(predictor.hierarchy.bestCoarser(zi, best: best))
            confidences.append(confidence)
            partMasses.append(predictor.partMass(zi, best: best))
            bests.append(best)
            correct.append(taxonomy.areEquivalent(model.classes[best], calibration[i].label))
            agrees.append(predictor.agrees(best, ruleClass: ruleClass[i]))
        }
        func pick<T>(_ a: [T]) -> [T] { fit.map { a[$0] } }
        let alone = max(Calibration.threshold(confidences: pick(confidences), correct: pick(correct),
                                              maxWrongRate: maxWrongRate), 0.3)
        let noisy = max(Calibration.threshold(confidences: confidences, correct: correct, maxWrongRate: maxWrongRate), 0.3)
        if agreementPoint {
            let t = Calibration.thresholds(confidences: pick(confidences), correct: pick(correct), agrees: pick(agrees),
                                           maxWrongRate: maxWrongRate, agreementFloor: agreementFloor,
                                           fixedMain: mainThresholdOnTrusted ? nil : noisy)
            model.threshold = max(t.main, 0.3)
            model.agreementThreshold = max(t.agreement, agreementFloor)
        } else {
            model.threshold = mainThresholdOnTrusted ? alone : noisy
            model.agreementThreshold = nil
        }
        let slots = calibration.map { FeatureExtractor.modalitySlot($0.metadata["Modality"] ?? "") }
        let extent = calibration.indices.map { FieldReading.extentAmbiguous(trunk: predictor.trunk[bests[$0]], slot: slots[$0]) }
        model.trunkScope = trunkScope
        let settled: [Bool] = calibration.indices.map { i in
            guard trunkScope == .settled, data.namedClasses.count == calibration.count else { return named[i] }
            return predictor.extentSettled(bests[i], named: data.namedClasses[i], pet: data.pet[i])
        }
        model.trunkThresholds = nil
        if trunkClassThresholds {
            // A class lowers its threshold where its own answers earn it; one that never reaches the
            // bar keeps the main threshold (CHEST: IDC's chest recons of whole-body PET/CT are not a
            // hospital's CT chest, and never answering CT chest would give up the commonest exam).
            var t = Calibration.classThresholds(confidences: pick(confidences), correct: pick(correct),
                                                classOf: fit.map { extent[$0] && settled[$0] ? bests[$0] : nil }, minAccuracy: partMinAccuracy,
                                                never: model.threshold)
            if trunkScope == .settled {
                // Or where the answers the lower threshold adds are right often enough on their own:
                // CHEST's answers above the main threshold hold phantoms scanned with a chest
                // protocol, which say nothing about a CT chest at 0.9.
                let added = Calibration.classThresholds(confidences: pick(confidences), correct: pick(correct),
                                                        classOf: fit.map { extent[$0] && settled[$0] ? bests[$0] : nil },
                                                        minAccuracy: partMinAccuracy, never: model.threshold, ceiling: model.threshold)
                for (k, v) in added { t[k] = min(t[k] ?? v, v) }
            }
            for (k, v) in t { t[k] = min(v, model.threshold) }
            model.trunkThresholds = Dictionary(uniqueKeysWithValues: t.map { (model.classes[$0.key], $0.value) })
            progress("trunk classes on cross-sectional scans from: " + t.sorted { $0.key < $1.key }
                .map { String(format: "%@ %.3f", model.classes[$0.key], $0.value) }.joined(separator: ", "))
        }
        /// Whether series i is answered at the main, agreement or trunk class thresholds.
        func mainAnswers(_ i: Int) -> Bool {
            if let t = model.trunkThresholds, extent[i] {
                return confidences[i] >= (settled[i] ? t[model.classes[bests[i]]] ?? model.threshold : model.threshold)
            }
            return confidences[i] >= model.threshold || (model.agreementThreshold.map { confidences[i] >= $0 } ?? false) && agrees[i]
        }
        model.partThreshold = nil
        if partAnswers {
            let answered = fit.map(mainAnswers)
            let part = fit.map { !extent[$0] && agrees[$0] }
            model.partThreshold = Calibration.partThreshold(confidences: pick(partMasses), correct: pick(correct), part: part,
                                                            answered: answered, ceiling: model.threshold,
                                                            minAccuracy: partMinAccuracy, maxWrongRate: partMaxWrongRate)
            progress(model.partThreshold.map { String(format: "answers outside the trunk from confidence %.3f", $0) }
                     ?? "answers outside the trunk: no lower threshold keeps them within the bar")
        }
        /// Whether held-out series i is answered by the model at the fitted points.
        func modelAnswers(_ i: Int) -> Bool {
            mainAnswers(i) || !extent[i] && agrees[i] && (model.partThreshold.map { partMasses[i] >= $0 } ?? false)
        }
        /// Coverage, accuracy on answered and wrong share of the given examples at the chosen points.
        func figures(_ rows: [Int]) -> String {
            var answered = 0, right = 0
            for i in rows {
                guard modelAnswers(i) else { continue }
                answered += 1
                if correct[i] { right += 1 }
            }
            let n = Double(max(rows.count, 1))
            return String(format: "n=%d coverage %.1f%% acc(answered) %.1f%% wrong %.1f%%", rows.count,
                          100 * Double(answered) / n, 100 * Double(right) / Double(max(answered, 1)),
                          100 * Double(answered - right) / n)
        }
        model.coarserThreshold = nil
        if coarserAnswers {
            // Candidates: series answered neither at the main nor at the agreement point.
            let open = fit.filter { i in !modelAnswers(i) && coarser[i] != nil }
            if !open.isEmpty {
                let rate = 0.005 * Double(fit.count) / Double(open.count)
                let t = Calibration.threshold(confidences: open.map { coarser[$0]!.1 },
                                              correct: open.map { taxonomy.areEquivalent(model.classes[coarser[$0]!.0], calibration[$0].label) },
                                              maxWrongRate: rate)
                let taken = open.filter { coarser[$0]!.1 >= t }
                let right = taken.filter { taxonomy.areEquivalent(model.classes[coarser[$0]!.0], calibration[$0].label) }.count
                if t < 1, !taken.isEmpty, Double(right) >= 0.97 * Double(taken.count) {
                    model.coarserThreshold = max(t, model.threshold)
                    progress(String(format: "coarser answers from mass %.3f: %d more held-out series answered, %d right", model.coarserThreshold!,
                                    taken.count, right))
                } else {
                    progress("coarser answers: none reach 97 % strict accuracy out of fold; not given")
                }
            }
        }
        model.storedTerm = nil
        if storedTermEvidence, data.stored.storedClass.count == calibration.count {
            let fitRows = Array(calibration.indices.filter { trusted[$0] && calibration[$0].label != "" })
            let sub = StoredTermData(storedClass: fitRows.map { data.stored.storedClass[$0] },
                                     ruleClasses: fitRows.map { data.stored.ruleClasses[$0] })
            let (evidence, figures) = fitStoredTerm(model, hidden: fitRows.map { logits[$0] }, examples: fitRows.map { calibration[$0] },
                                                    data: sub, taxonomy: taxonomy)
            model.storedTerm = evidence
            model.info["storedTermFigures"] = figures
            progress("stored BodyPartExamined as evidence: " + figures + (evidence == nil ? "; not used" : ""))
        }
        let all = Array(calibration.indices), trustedRows = calibration.indices.filter { trusted[$0] }
        let readings = fitReadings(&model, data, rows: trustedRows, taxonomy: taxonomy)
        model.info["readingFigures"] = readings
        progress(readings)
        model.info["calibrationTrusted"] = String(trustedRows.count)
        model.info["thresholdNoisyLabels"] = String(format: "%.4f", noisy)
        model.info["thresholdTrustedAlone"] = String(format: "%.4f", alone)
        model.info["calibrationFiguresNoisy"] = figures(all)
        model.info["calibrationFiguresTrusted"] = figures(trustedRows)
        progress(String(format: "calibration: temperature %.3f, threshold %.3f, agreement threshold %@ "
                        + "(fitted on %@ held-out series; threshold alone on noisy labels would be %.3f, on trusted %.3f)",
                        model.temperature, model.threshold, model.agreementThreshold.map { String(format: "%.3f", $0) } ?? "none",
                        trustedCalibration ? "\(trustedRows.count) trusted of \(all.count)" : "all \(all.count)", noisy, alone))
        progress("calibration figures, BodyPartExamined hidden: noisy labels " + figures(all) + "; trusted labels " + figures(trustedRows))
    }
}
