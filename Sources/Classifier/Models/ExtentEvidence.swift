/// When the header settles a trunk answer's extent, so that the class's own threshold
/// (``BodyPartModel/trunkThresholds``) may replace the main one.
///
/// Out of fold on the trusted labels, the confident CHEST and ABDOMEN answers that are wrong are
/// nearly all one of three cases, each visible in the header:
/// - a **PET/CT**: the study names the disease site ("PET/CT Lung Cancer", "PETCT SUBSEQUENT
///   TREAT | CT Lung"), the CT covers the PET's extent (WHOLEBODY: a WHOLEBODY answer stays settled);
/// - a **broader region named beside it**: a lung reconstruction in a "CT CAP" study, "ABD
///   CORONAL" in an "ABD AND PELVIS" study — the scan's extent is the study's;
/// - a **stored BodyPartExamined naming another region** (as stored: a "CT Chest" study whose
///   series are stored ABDOMEN, and are abdomen).
/// Where none holds and some description names a region, the extent is settled.
public enum TrunkScope: String, Sendable, Codable, Hashable {
    /// Model format 6: any description names a region.
    case named
    /// Model format 7: a description names a region, none names a region containing the answer,
    /// no PET/CT (but for WHOLEBODY), no stored term naming another region.
    case settled
}

extension Predictor {
    /// Whether the series last extracted settles the extent of trunk answer `best` under `scope`.
    func extentSettled(_ best: Int, scope: TrunkScope) -> Bool {
        switch scope {
        case .named:
            return descriptionsName()
        case .settled:
            guard best >= 0, best < taxonomyIndex.count, taxonomyIndex[best] >= 0 else { return false }
            let stored = Int(features.bpeClass)
            if stored != Int(FeatureExtractor.noClass), !namesWithin(taxonomyIndex[best], stored) { return false }
            return extentSettled(best, named: features.ruleMatches, pet: petContext)
        }
    }

    /// `extentSettled` from the description matches `named` (per field) and the PET/CT flag alone
    /// (BodyPartExamined hidden): the calibration's test of held-out rows.
    func extentSettled(_ best: Int, named: [[UInt8]], pet: Bool) -> Bool {
        guard best >= 0, best < taxonomyIndex.count, taxonomyIndex[best] >= 0 else { return false }
        if pet && model.classes[best] != "WHOLEBODY" { return false }
        return Self.settles(taxonomyIndex[best], named: named, relation: extractor.relation, count: extractor.classBytes.count)
    }

    /// Whether taxonomy class `other` is the answer `cls`, its equivalent, or a part of it.
    func namesWithin(_ cls: Int, _ other: Int) -> Bool {
        extractor.relation[cls * extractor.classBytes.count + other] <= 2
    }

    /// Whether description matches `named` (per field) settle the extent of taxonomy class `cls`:
    /// at least one match, and none a region containing `cls` ("CT CAP" around a lung series).
    /// Another region beside it ("BACINO ANCA": pelvis, hip) does not unsettle it.
    static func settles(_ cls: Int, named: [[UInt8]], relation: [UInt8], count: Int) -> Bool {
        var any = false
        for field in named {
            for m in field {
                any = true
                if relation[cls * count + Int(m)] == 3 { return false }
            }
        }
        return any
    }

    /// Whether the series is part of a PET/CT (or PET/MR): modality PT, or a description naming
    /// PET, PETCT, FDG or PSMA as a word.
    static func petContext(_ series: SeriesMetadata) -> Bool {
        if series["Modality"]?.trimmingCharacters(in: .whitespaces).uppercased() == "PT" { return true }
        for key in ["StudyDescription", "SeriesDescription", "ProtocolName", "RequestedProcedureDescription",
                    "PerformedProcedureStepDescription"] {
            guard let text = series[key], !text.isEmpty else { continue }
            var word: [UInt8] = []
            for b in text.utf8 + [32] {
                if (b >= 65 && b <= 90) || (b >= 97 && b <= 122) { word.append(b & 0xDF); continue }
                if petWords.contains(word) { return true }
                word.removeAll(keepingCapacity: true)
            }
        }
        return false
    }

    static let petWords: Set<[UInt8]> = Set(["PET", "PETCT", "PETMR", "FDG", "PSMA"].map { Array($0.utf8) })
}
