/// The stored BodyPartExamined as evidence: a valid term (after the taxonomy's normalization:
/// `L_SPINE` → LSPINE, `LIVER` → ABDOMEN) that nothing in the header contradicts gives an answer
/// that agrees with it.
///
/// Contradicted means any of: a description field names a class that is neither it nor
/// equivalent to it (a broader one too: "CT ABD PELVIS" with a stored ABDOMEN, whose reader answer
/// is ABDOMENPELVIS); the model, which reads the whole header, answers another class at its own
/// thresholds; or the model with BodyPartExamined hidden gives the term's equivalence group less
/// than `floor` (a stored KNEE on a 300-slice CT thorax-abdomen). The floor and the confidence
/// given to such answers are fitted out of fold on the trusted labels (``ModelBuilder``): the
/// floor is the lowest that keeps the answers of stored terms replaced by another class (the
/// corruption check) within the wrong-answer budget.
public struct StoredTermEvidence: Sendable, Hashable, Codable {
    /// Lowest probability (BodyPartExamined hidden) of the stored term's group for it to count.
    public var floor: Double
    /// Confidence reported for answers given on this evidence (out-of-fold accuracy of them).
    public var confidence: Double
    /// Only when a description field names the term (or its equivalent): corroborated, not merely
    /// uncontradicted (fitted when uncontradicted terms alone are not reliable enough).
    public var corroborated: Bool
    /// Only for terms outside the trunk (HEAD, a spine level, a joint; any on a radiograph or
    /// ultrasound): fitted when the stored trunk terms of cross-sectional scans, a collection's
    /// habit about a scan's extent, are not reliable enough (``FieldReading/extentAmbiguous``).
    public var partsOnly: Bool

    /// Creates the evidence settings.
    public init(floor: Double, confidence: Double, corroborated: Bool = false, partsOnly: Bool = false) {
        self.floor = floor
        self.confidence = confidence
        self.corroborated = corroborated
        self.partsOnly = partsOnly
    }

    enum CodingKeys: String, CodingKey { case floor, confidence, corroborated, partsOnly }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        floor = try c.decode(Double.self, forKey: .floor)
        confidence = try c.decode(Double.self, forKey: .confidence)
        corroborated = try c.decodeIfPresent(Bool.self, forKey: .corroborated) ?? false
        partsOnly = try c.decodeIfPresent(Bool.self, forKey: .partsOnly) ?? false
    }
}

extension Predictor {
    /// The model class of the stored BodyPartExamined of the series last extracted when no
    /// description field names another class (nor a broader or narrower one); −1 otherwise.
    func uncontradictedStoredClass(corroborated: Bool = false) -> Int {
        guard extractor.taxonomy != nil, features.bpeClass != FeatureExtractor.noClass, features.bpeKind < 3 else { return -1 }
        let c = Int(features.bpeClass), t = extractor.classBytes.count
        var named = false
        for matches in features.ruleMatches {
            for m in matches where extractor.relation[c * t + Int(m)] > 1 { return -1 }
            if !matches.isEmpty { named = true }
        }
        if corroborated && !named { return -1 }
        guard c < modelIndex.count else { return -1 }
        return modelIndex[c]
    }

    /// The answer the stored term gives, if any: its class and confidence. Call right after the
    /// prediction with BodyPartExamined as stored, whose class and acceptance are given.
    mutating func storedTermAnswer(_ series: SeriesMetadata, best: Int, accepted: Bool) -> (Int, Double)? {
        guard let evidence = model.storedTerm else { return nil }
        let k = uncontradictedStoredClass(corroborated: evidence.corroborated)
        guard k >= 0, !(evidence.partsOnly && FieldReading.extentAmbiguous(trunk: trunk[k], slot: features.modality)) else { return nil }
        if accepted && !groups[k].contains(best) { return nil }
        let visible = groups[k].reduce(Float(0)) { $0 + scores[$1] }
        // The model's probabilities with BodyPartExamined hidden: would the rest of the header allow it?
        logits(series.withBodyPartExamined(nil))
        Calibration.softmax(&scores, temperature: Float(model.temperature))
        let prior = groups[k].reduce(Float(0)) { $0 + scores[$1] }
        guard Double(prior) >= evidence.floor else { return nil }
        return (k, max(evidence.confidence, Double(visible)))
    }
}
