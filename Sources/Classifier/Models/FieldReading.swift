/// How a careful reader reads a series' header text, level by level: the series' own
/// description first, then its protocol name, then the study's descriptions (study, requested
/// and performed procedure), and the stored BodyPartExamined beside them.
///
/// The reading's candidate is the class the most specific level names unambiguously (every class
/// that level names is it, equivalent to it, or a part it contains: "CHEST 2.5 MM/ABD.PEL 2.5MM"
/// reads CHESTABDPELVIS). A series description outranks its study's: "CHEST CORONAL" in a
/// "CT CHEST ABDOMEN PELVIS" study is the chest reconstruction of a wider scan, and readers label
/// it CHEST. How the other levels and the stored term relate to the candidate makes the
/// reading's *pattern* (``key``), whose accuracy ``ReadingFit`` measures on labelled series of
/// collections the model was not trained on; ``ReadingAnswer`` answers the patterns that earned it.
///
/// Computed from the rule matches and normalized BodyPartExamined the feature extraction has
/// already cached in the ``FeatureVector``: no extra text matching.
public struct FieldReading: Sendable, Hashable {
    /// The level the candidate comes from.
    public enum Level: String, Sendable, CaseIterable {
        case series, `protocol`, study
        /// No description names a class, and the modality implies one by definition
        /// (``modalityRegions``: MG is mammography).
        case modality
    }

    /// How other text relates to the candidate, worst first when several apply.
    public enum Relation: String, Sendable, CaseIterable {
        /// Nothing there (or a term the taxonomy does not know).
        case absent
        /// The same class or an equivalent one.
        case same
        /// A part of the candidate (the study says CHEST, the series CHESTABDPELVIS).
        case narrower
        /// A class containing the candidate (the study says CHESTABDPELVIS, the series CHEST).
        case broader
        /// Another region, or both narrower and broader ones.
        case conflict
    }

    /// Taxonomy class index of the candidate (see `FeatureExtractor.classIndex`).
    public var candidate: Int
    /// Where it comes from.
    public var level: Level
    /// How the other description levels relate to it.
    public var others: Relation
    /// How the stored BodyPartExamined relates to it.
    public var stored: Relation
    /// Whether the candidate is a trunk region, where readers and sites disagree on extent
    /// (ABDOMEN vs ABDOMENPELVIS, CHEST inside CHESTABDPELVIS).
    public var trunk: Bool
    /// What kind of object: `image`; `pet` (PT, NM: oncologic PET/CT covers the trunk whatever
    /// organ the study names); `derived` (SEG, RTSTRUCT, RTDOSE, RTPLAN, SR, KO, PR, REG: their
    /// series description names the structure drawn, an organ, not the region imaged).
    public var object: String

    /// The modality, for a candidate implied by it.
    public var modality: String = ""

    /// The pattern, without the model's agreement: `series/broader/absent/trunk/image`; for a
    /// region implied by the modality, `modality/MG` (or `modality/MG/conflict` when the stored
    /// term names another region).
    public var key: String {
        if level == .modality { return "modality/\(modality)" + (stored == .conflict ? "/conflict" : "") }
        return "\(level.rawValue)/\(others.rawValue)/\(stored.rawValue)/\(trunk ? "trunk" : "part")/\(object)"
    }

    /// The pattern with whether the model's most probable class agrees with the candidate
    /// (regions implied by the modality leave it out: the model rarely knows them without text).
    public func key(modelAgrees: Bool) -> String {
        level == .modality ? key : key + (modelAgrees ? "/agree" : "/disagree")
    }

    /// Modalities whose defined term implies the region (PS3.3 C.7.3.1.1.1): MG mammography,
    /// IO intra-oral radiography.
    static let modalityRegions: [String: String] = ["MG": "BREAST", "IO": "HEAD"]

    /// Modality slots (``FeatureExtractor/denseModalities``) of PET and derived objects.
    static let petModalities: Set<String> = ["PT", "NM"]
    static let derivedModalities: Set<String> = ["SEG", "RTSTRUCT", "RTDOSE", "RTPLAN", "SR", "KO", "PR", "REG"]
    static let objectBySlot: [String] = FeatureExtractor.denseModalities.map {
        petModalities.contains($0) ? "pet" : derivedModalities.contains($0) ? "derived" : "image"
    }


    /// Projection modalities: a radiograph, fluoroscopy, angiography or ultrasound of the chest is
    /// of the chest, with no extent for readers and sites to disagree on (``trunkClasses``
    /// answers of these modalities take the part threshold).
    static let projectionModalities: Set<String> = ["CR", "DX", "DR", "RF", "XA", "MG", "US", "IO", "PX"]
    static let projectionBySlot: [Bool] = FeatureExtractor.denseModalities.map { projectionModalities.contains($0) }

    /// Whether an answer of `trunk` class on a series of modality slot `slot` is about a scan's
    /// extent: a trunk class on a cross-sectional (or unknown) modality.
    static func extentAmbiguous(trunk: Bool, slot: Int8) -> Bool {
        trunk && !(slot >= 0 && Int(slot) < projectionBySlot.count && projectionBySlot[Int(slot)])
    }

    /// Trunk classes (`trunk`).
    static let trunkClasses: Set<String> = [
        "CHEST", "ABDOMEN", "PELVIS", "CHESTABDOMEN", "ABDOMENPELVIS", "CHESTABDPELVIS", "NECKCHEST",
        "NECKCHESTABDOMEN", "NECKCHESTABDPELV", "WHOLEBODY",
    ]
}

extension FeatureExtractor {
    /// The reading of the series last extracted into `v` (nil: no level names a class, or the
    /// most specific level that names one is ambiguous).
    func reading(_ v: FeatureVector) -> FieldReading? {
        guard taxonomy != nil else { return nil }
        let levels: [[UInt8]] = [v.ruleMatches[0], v.ruleMatches[1], v.ruleMatches[2] + v.ruleMatches[3] + v.ruleMatches[4]]
        let t = classBytes.count
        guard let index = levels.firstIndex(where: { !$0.isEmpty }) else { return modalityReading(v) }
        let level = levels[index]
        let c = Int(level[0])
        // relation[a·T + b]: 0 same, 1 equivalent, 2 a contains b, 3 b contains a, 4 other.
        guard level.allSatisfy({ relation[c * t + Int($0)] <= 2 }) else { return nil }
        var narrower = false, broader = false, conflict = false, same = false
        for other in levels[(index + 1)...] {
            for m in other {
                switch relation[c * t + Int(m)] {
                case 0, 1: same = true
                case 2: narrower = true
                case 3: broader = true
                default: conflict = true
                }
            }
        }
        let others: FieldReading.Relation = conflict || (narrower && broader) ? .conflict
            : broader ? .broader : narrower ? .narrower : same ? .same : .absent
        var stored = FieldReading.Relation.absent
        if v.bpeClass != Self.noClass {
            stored = switch relation[c * t + Int(v.bpeClass)] {
            case 0, 1: .same
            case 2: .narrower
            case 3: .broader
            default: .conflict
            }
        }
        let name = String(decoding: classBytes[c], as: UTF8.self)
        let slot = Int(v.modality)
        let object = slot >= 0 && slot < FieldReading.objectBySlot.count ? FieldReading.objectBySlot[slot] : "image"
        return FieldReading(candidate: c, level: FieldReading.Level.allCases[index], others: others, stored: stored,
                            trunk: FieldReading.trunkClasses.contains(name), object: object)
    }

    /// The region the modality implies when no description names one.
    func modalityReading(_ v: FeatureVector) -> FieldReading? {
        let slot = Int(v.modality)
        guard slot >= 0, slot < Self.denseModalities.count else { return nil }
        let modality = Self.denseModalities[slot]
        guard let region = FieldReading.modalityRegions[modality], let c = classIndex[region].map(Int.init) else { return nil }
        var stored = FieldReading.Relation.absent
        if v.bpeClass != Self.noClass {
            stored = relation[c * classBytes.count + Int(v.bpeClass)] <= 1 ? .same : .conflict
        }
        return FieldReading(candidate: c, level: .modality, others: .absent, stored: stored, trunk: false, object: "image",
                            modality: modality)
    }
}
