import Anatomy

/// Reads a series with its study: a series whose own descriptions name no body part (a
/// localizer, "AX DWI", "ABD CORONAL" aside) and on which the model abstains takes the region
/// that the study's other series agree on.
///
/// The study's region is the answer of its answered series when they all give the same class
/// (HEAD and BRAIN count as one; the more specific one is kept); series answered from the study
/// itself never count, so the result does not depend on the order of the series. A study whose
/// answered series disagree (CHEST and ABDOMEN reconstructions of one examination) gives nothing.
///
/// `clean` passes every series of a study; the proxy passes the series of the study it has seen
/// so far (its decisions are made on a series' first instance, so an earlier series may have
/// been decided before a later one could help it).
public struct StudyContext: Sendable {
    /// The taxonomy (rule matches of the series' own descriptions; equivalences).
    public let taxonomy: Taxonomy
    /// Series-level description fields: a series naming a class in one of them keeps its own answer.
    public static let seriesFields = ["SeriesDescription", "ProtocolName"]
    /// Modalities that are never given their study's region (non-image objects and reports).
    public static let skippedModalities: Set<String> = ["SR", "PR", "KO", "DOC", "RTPLAN", "RTRECORD", "REG"]

    /// Creates a study context reader.
    public init(taxonomy: Taxonomy) { self.taxonomy = taxonomy }

    /// The study's region from the given answers (nil when none or when they disagree).
    public func region(_ predictions: [Prediction]) -> String? {
        var region: String?
        for p in predictions where !p.abstained && p.basis != .study {
            guard let b = p.bodyPart else { continue }
            guard let r = region else { region = b; continue }
            if r == b { continue }
            guard taxonomy.areEquivalent(r, b) else { return nil }
            region = r == "BRAIN" || b == "BRAIN" ? "BRAIN" : r
        }
        return region
    }

    /// The predictions of one study's series (`series[i]` with `predictions[i]`), with abstained
    /// series whose own descriptions name no class answering the study's region.
    public func resolve(_ series: [SeriesMetadata], _ predictions: [Prediction]) -> [Prediction] {
        guard series.count > 1, let region = region(predictions) else { return predictions }
        let confidence = predictions.filter { !$0.abstained && $0.basis != .study }.map(\.confidence).min() ?? 0
        var out = predictions
        for i in out.indices where out[i].abstained {
            let m = series[i]
            if let modality = m["Modality"], Self.skippedModalities.contains(modality) { continue }
            let named = Self.seriesFields.contains { f in m[f].map { !taxonomy.ruleMatch($0).isEmpty } ?? false }
            if named { continue }
            out[i].bodyPart = region
            out[i].topClass = region
            out[i].abstained = false
            out[i].confidence = confidence
            out[i].basis = .study
        }
        return out
    }
}

extension BodyPartModel {
    /// Predicts several series, each read with its study (``StudyContext``): `studies[i]` is the
    /// StudyInstanceUID of `series[i]`. Answers do not depend on the order of the series.
    public func predict(_ series: [SeriesMetadata], studies: [String], studyContext: Bool = true) -> [Prediction] {
        var predictor = makePredictor()
        var out = series.map { predictor.predict($0) }
        guard studyContext, let taxonomy else { return out }
        let context = StudyContext(taxonomy: taxonomy)
        for rows in Dictionary(grouping: series.indices, by: { studies[$0] }).values where rows.count > 1 {
            for (i, p) in zip(rows, context.resolve(rows.map { series[$0] }, rows.map { out[$0] })) { out[i] = p }
        }
        return out
    }
}
