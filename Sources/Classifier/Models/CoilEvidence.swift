import Anatomy

/// The dedicated MR receive coil as evidence (``CoilVocabulary``, `coils` in `body-parts.yaml`).
///
/// Research and departmental MR often describe a series by its pulse sequence alone ("DTI ortho",
/// "t1_gre_fsp_3d_sag", "Axial EPI-FMRI"), in a study called "MRI OPTIMIZATION" or nothing: no
/// text names a region, yet the coil does ("32Ch Head"). The model cannot learn this — the IDC
/// index it is trained on holds no coil names — so the answer is a rule with a stated confidence,
/// given only where the model abstained and nothing in the header contradicts the coil.
extension Predictor {
    /// The model class the series' receive coil is built for, and the coil's stated confidence:
    /// MR only; the descriptions name no region or one that agrees with the coil; a stored
    /// BodyPartExamined (when present) does not name another region. Nil otherwise. Call right
    /// after the series was extracted (it reads the cached rule matches).
    func coilAnswer(_ series: SeriesMetadata) -> (Int, Double)? {
        guard let coils = model.taxonomy?.coils, !coils.words.isEmpty,
              series["Modality"]?.trimmingCharacters(in: .whitespaces).uppercased() == "MR",
              let name = series["ReceiveCoilName"], let region = coils.region(of: name),
              let k = model.classes.firstIndex(of: region), taxonomyIndex[k] >= 0
        else { return nil }
        if descriptionsName(), !agrees(k, ruleClass: unambiguousRuleClass()) { return nil }
        let stored = Int(features.bpeClass)
        if stored != Int(FeatureExtractor.noClass),
           extractor.relation[stored * extractor.classBytes.count + taxonomyIndex[k]] > 3 {
            return nil
        }
        return (k, coils.confidence)
    }
}
