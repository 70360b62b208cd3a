import Anatomy

/// Out-of-fold data and fit of the reading patterns (``FieldReading``, ``ReadingFit``).
extension ModelBuilder {
    /// What the reading fit needs of one held-out series, BodyPartExamined as stored (the
    /// hidden condition's logits are the calibration's own).
    struct ReadingData: Sendable {
        var hidden: [FieldReading?] = []
        var stored: [FieldReading?] = []
        var storedLogits: [[Float]] = []

        mutating func append(_ other: ReadingData) {
            hidden += other.hidden
            stored += other.stored
            storedLogits += other.storedLogits
        }
    }

    /// Readings and logits of `examples` with BodyPartExamined as stored (the hidden ones are
    /// taken with the calibration's own logits in `collect`).
    static func addStoredReadings(_ predictor: inout Predictor, _ examples: [TrainingExample], into data: inout ReadingData) {
        for e in examples {
            data.storedLogits.append(predictor.logits(e.metadata))
            data.stored.append(predictor.extractor.reading(predictor.features))
        }
    }

    /// Fits `model.readingPatterns` on the held-out rows `rows` of `data` (the model's
    /// temperature and thresholds already fitted): each series once with BodyPartExamined
    /// hidden and once as stored. Returns a one-line summary.
    func fitReadings(_ model: inout BodyPartModel, _ data: CalibrationData, rows: [Int], taxonomy: Taxonomy) -> String {
        model.readingPatterns = [:]
        guard readingAnswers, data.reading.hidden.count == data.examples.count else { return "reading answers off" }
        let predictor = model.makePredictor()
        let groups = Predictor.equivalenceGroups(model)
        var fitRows: [ReadingFit.Row] = []
        let rows = readingFitOnTextYes ? rows.filter { data.examples[$0].textSupport != "partial" && data.examples[$0].textSupport != "no" || data.examples[$0].label == "UNKNOWN" } : rows
        for (logits, readings) in [(data.logits, data.reading.hidden), (data.reading.storedLogits, data.reading.stored)] {
            for i in rows {
                var z = logits[i]
                Calibration.softmax(&z, temperature: Float(model.temperature))
                let (best, confidence) = Predictor.decide(z, groups: groups)
                let label = data.examples[i].label
                let labelled = label != "UNKNOWN" && !label.isEmpty
                let answered = predictor.accepts(best, confidence: confidence, ruleClass: data.ruleClass[i],
                                                 partMass: predictor.partMass(z, best: best))
                let right = labelled && taxonomy.areEquivalent(model.classes[best], label)
                var pattern: String? = nil, candidateRight = false
                if let r = readings[i] {
                    pattern = r.key(modelAgrees: predictor.agrees(best, ruleClass: r.candidate))
                    let name = String(decoding: predictor.extractor.classBytes[r.candidate], as: UTF8.self)
                    candidateRight = labelled && taxonomy.areEquivalent(name, label)
                }
                fitRows.append(.init(pattern: pattern, candidateRight: candidateRight, modelAnswered: answered,
                                     modelRight: right, labelled: labelled))
            }
        }
        var fit = ReadingFit()
        fit.maxWrongRate = readingMaxWrongRate
        fit.minAccuracy = readingMinAccuracy
        let (accepted, figures) = fit.fit(fitRows)
        model.readingPatterns = accepted
        let taken = figures.filter { accepted[$0.pattern] != nil }
        let seen = taken.reduce(0) { $0 + $1.seen }, right = taken.reduce(0) { $0 + $1.right }
        return "reading patterns: \(accepted.count) of \(figures.count) answer; out of fold they answer \(seen) of "
            + "\(fitRows.count) held-out rows (hidden and as stored) the model left open, \(right) right"
    }
}
