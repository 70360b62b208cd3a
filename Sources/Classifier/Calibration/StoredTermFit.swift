import Anatomy

/// Fitting ``StoredTermEvidence`` on held-out predictions.
extension ModelBuilder {
    /// Per held-out series, what the stored-term rule needs: the model class of its stored
    /// BodyPartExamined when no description contradicts it (−1: none), and the taxonomy classes
    /// its description fields name (to judge a replaced term).
    struct StoredTermData: Sendable {
        var storedClass: [Int] = []
        var ruleClasses: [[UInt8]] = []

        mutating func append(_ other: StoredTermData) {
            storedClass += other.storedClass
            ruleClasses += other.ruleClasses
        }

        /// Whether series i's descriptions name a class (all of them equivalent to its stored term).
        func corroborated(_ i: Int) -> Bool { storedClass[i] >= 0 && !ruleClasses[i].isEmpty }
    }

    /// Reads the stored-term data of `examples` with `predictor` (features only, no scoring).
    static func storedTermData(_ predictor: inout Predictor, _ examples: [TrainingExample]) -> StoredTermData {
        var out = StoredTermData()
        for e in examples {
            predictor.extractor.extract(e.metadata, into: &predictor.features)
            out.storedClass.append(predictor.uncontradictedStoredClass())
            out.ruleClasses.append(predictor.features.ruleMatches.flatMap { $0 })
        }
        return out
    }

    /// The lowest floor (on a grid) at which answers from stored terms stay within the budget:
    /// as stored, the series the model leaves unanswered (BodyPartExamined hidden) get at least
    /// 97 % right and at most `maxWrongRate` of all series wrong; replaced by a random other class
    /// (every series, seeded), wrong on at most 2.5 % of them (so that the 20 % corruption check
    /// moves the wrong-answer rate by at most half a point). No evidence when no floor qualifies;
    /// the figures say what each floor gave.
    func fitStoredTerm(_ model: BodyPartModel, hidden: [[Float]], examples: [TrainingExample], data: StoredTermData,
                       taxonomy: Taxonomy) -> (evidence: StoredTermEvidence?, figures: String) {
        let predictor = model.makePredictor()
        let groups = predictor.groups, t = predictor.extractor.classBytes.count
        let n = examples.count
        guard n > 0 else { return (nil, "no held-out series") }
        // Hidden-BPE group probability of a model class k for series i.
        var probs: [[Float]] = hidden
        for i in probs.indices { Calibration.softmax(&probs[i], temperature: Float(model.temperature)) }
        func prior(_ i: Int, _ k: Int) -> Double { Double(groups[k].reduce(Float(0)) { $0 + probs[i][$1] }) }
        var rng = SplitMix(seed: seed ^ 0x5707ED)
        var replaced = [Int](repeating: -1, count: n)
        for i in 0..<n {
            let label = examples[i].label
            let others = model.classes.indices.filter { !taxonomy.areEquivalent(model.classes[$0], label) }
            guard !others.isEmpty else { continue }
            let k = others[Int(rng.next() % UInt64(others.count))]
            let tk = predictor.taxonomyIndex[k]
            guard tk >= 0, !data.ruleClasses[i].contains(where: { predictor.extractor.relation[tk * t + Int($0)] > 1 }) else { continue }
            replaced[i] = k
        }
        let budget = maxWrongRate * Double(n), corruptBudget = 0.025 * Double(n)
        // The series the model answers itself (at its main threshold) need no evidence.
        let open = (0..<n).map { i in
            let (best, confidence) = Predictor.decide(probs[i], groups: groups)
            return !predictor.accepts(best, confidence: confidence, ruleClass: -1)
        }
        let slots = examples.map { FeatureExtractor.modalitySlot($0.metadata["Modality"] ?? "") }
        var tried: [String] = []
        // Every uncontradicted stored term first; then only those outside the trunk (where IDC's
        // stored terms are collection habits about a scan's extent: CHEST on a whole-body PET/CT);
        // then only those the descriptions name.
        for (partsOnly, corroborated) in [(false, false), (true, false), (false, true), (true, true)] {
        for floor in [0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] {
            var answered = 0, right = 0, corruptWrong = 0
            for i in 0..<n where open[i] {
                var k = corroborated && !data.corroborated(i) ? -1 : data.storedClass[i]
                if partsOnly && k >= 0 && FieldReading.extentAmbiguous(trunk: predictor.trunk[k], slot: slots[i]) { k = -1 }
                if k >= 0 && prior(i, k) >= floor {
                    answered += 1
                    if taxonomy.areEquivalent(model.classes[k], examples[i].label) { right += 1 }
                }
                if replaced[i] >= 0 && prior(i, replaced[i]) >= floor && (!corroborated || !data.ruleClasses[i].isEmpty)
                    && !(partsOnly && FieldReading.extentAmbiguous(trunk: predictor.trunk[replaced[i]], slot: slots[i])) {
                    corruptWrong += 1
                }
            }
            let scope = (partsOnly ? "parts " : "") + (corroborated ? "named " : "")
            tried.append(String(format: "%@%.2f: %d answered, %d right, %d replaced", scope, floor, answered,
                                right, corruptWrong))
            guard Double(answered - right) <= budget, Double(right) >= 0.97 * Double(answered), Double(corruptWrong) <= corruptBudget,
                  answered > 0 else { continue }
            let accuracy = Double(right) / Double(answered)
            let figures = String(format: "%@%@floor %.2f: stored terms answer %d more of %d held-out series, %.1f%% right; "
                                 + "replaced terms would answer %.1f%% of series",
                                 partsOnly ? "outside the trunk, " : "", corroborated ? "named in the descriptions, " : "", floor, answered, n, 100 * accuracy,
                                 100 * Double(corruptWrong) / Double(n))
            return (StoredTermEvidence(floor: floor, confidence: accuracy, corroborated: corroborated, partsOnly: partsOnly), figures)
        }
        }
        return (nil, "no floor keeps its answers within the budget (" + tried.joined(separator: "; ") + ")")
    }
}

