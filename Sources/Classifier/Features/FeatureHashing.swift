/// The fields a feature can come from; the raw value is mixed into every hash.
public enum FeatureField: UInt8, Sendable, CaseIterable, Codable {
    case studyDescription = 1, seriesDescription, protocolName, requestedProcedureDescription,
        performedProcedureStepDescription, reasonForStudy, bodyPartExamined, imageType
    /// All description-like fields pooled, so that words learnt in one field count in the others.
    case descriptions = 20
    case modality = 30, manufacturer, manufacturerModelName, sopClass, viewPosition, patientPosition,
        laterality, patientSex, patientAge, institution, station, contrast
    case orientation = 50, sliceThickness, pixelSpacing, frames, instances, zExtent
    case modalityOrientation = 60, modalityThickness
    /// Classes `Taxonomy.ruleMatch` finds in one field (kind ruleFirst: its first class; ruleAny: each class).
    case ruleStudy = 70, ruleSeries, ruleProtocol, ruleRequested, rulePerformed
    /// Field-agnostic rule classes: every class found in any description field; the first answer in
    /// `RuleBaseline` field order; NONE when no field matches.
    case ruleAny = 80, ruleFirst
    /// How the description fields' first classes relate (AGREE, CONTAINS, CONFLICT...).
    case ruleRelation
    /// Modality crossed with the first rule class.
    case ruleModality
    /// `Taxonomy.normalize(BodyPartExamined)`: its class and its kind (exact, synonym, organ, unknown).
    case bpeNormalized = 90
    /// How the normalized BodyPartExamined relates to the descriptions' rule class.
    case bpeRelation

    /// The DICOM keyword (or a descriptive name for derived fields), used in evidence.
    public var name: String {
        switch self {
        case .studyDescription: "StudyDescription"
        case .seriesDescription: "SeriesDescription"
        case .protocolName: "ProtocolName"
        case .requestedProcedureDescription: "RequestedProcedureDescription"
        case .performedProcedureStepDescription: "PerformedProcedureStepDescription"
        case .reasonForStudy: "ReasonForStudy"
        case .bodyPartExamined: "BodyPartExamined"
        case .imageType: "ImageType"
        case .descriptions: "descriptions"
        case .modality: "Modality"
        case .manufacturer: "Manufacturer"
        case .manufacturerModelName: "ManufacturerModelName"
        case .sopClass: "SOPClassUID"
        case .viewPosition: "ViewPosition"
        case .patientPosition: "PatientPosition"
        case .laterality: "Laterality"
        case .patientSex: "PatientSex"
        case .patientAge: "PatientAge"
        case .institution: "InstitutionName"
        case .station: "StationName"
        case .contrast: "ContrastBolusAgent"
        case .orientation: "orientation"
        case .sliceThickness: "SliceThickness"
        case .pixelSpacing: "PixelSpacing"
        case .frames: "NumberOfFrames"
        case .instances: "instanceCount"
        case .zExtent: "zExtent"
        case .modalityOrientation: "Modality+orientation"
        case .modalityThickness: "Modality+SliceThickness"
        case .ruleStudy: "rules(StudyDescription)"
        case .ruleSeries: "rules(SeriesDescription)"
        case .ruleProtocol: "rules(ProtocolName)"
        case .ruleRequested: "rules(RequestedProcedureDescription)"
        case .rulePerformed: "rules(PerformedProcedureStepDescription)"
        case .ruleAny: "rules(any)"
        case .ruleFirst: "rules(first)"
        case .ruleRelation: "rules(relation)"
        case .ruleModality: "Modality+rules"
        case .bpeNormalized: "BodyPartExamined(normalized)"
        case .bpeRelation: "BodyPartExamined+rules"
        }
    }
}

/// Kinds of hashed feature; mixed into the hash beside the field.
enum FeatureKind: UInt8 {
    case word = 1, bigram, charGram, category, expansion, ruleFirst, ruleAny
}

/// FNV-1a hashing of byte sequences into a power-of-two number of buckets.
///
/// The hash of a feature is FNV-1a over (seed, field, kind, bytes), finished with a
/// SplitMix64 mix so that the low bits are usable as a bucket index.
public struct FeatureHashing: Sendable, Hashable, Codable {
    /// log2 of the bucket count.
    public var bucketBits: Int
    /// Seed mixed into every hash.
    public var seed: UInt64
    /// Shortest and longest character n-gram (in bytes, within a word padded with `<` `>`).
    public var charGramMin: Int
    public var charGramMax: Int
    /// Version of the feature extraction rules; a model only works with the same version.
    public var featureVersion: Int

    /// Default parameters of the shipped model. Version 2 adds the taxonomy's rule features
    /// (``FeatureExtractor`` needs the taxonomy); version 1 is text and geometry only.
    public static let standard = FeatureHashing(bucketBits: 17, seed: 0x6270_6d6f_6465_6c31,
                                                charGramMin: 3, charGramMax: 5, featureVersion: 2)

    /// Whether features of this version include the taxonomy's rule matches.
    public var usesRules: Bool { featureVersion >= 2 }

    /// Number of buckets (2^bucketBits).
    public var buckets: Int { 1 << bucketBits }
    var mask: UInt64 { UInt64(buckets - 1) }

    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    func start(_ field: FeatureField, _ kind: FeatureKind) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        h = (h ^ UInt64(field.rawValue)) &* Self.fnvPrime
        h = (h ^ UInt64(kind.rawValue)) &* Self.fnvPrime
        return h
    }

    @inline(__always)
    static func add(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* fnvPrime }

    @inline(__always)
    static func add(_ h: UInt64, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var h = h
        for i in range { h = (h ^ UInt64(bytes[i])) &* fnvPrime }
        return h
    }

    @inline(__always)
    func bucket(_ h: UInt64) -> UInt32 {
        var z = h &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z = z ^ (z >> 31)
        return UInt32(truncatingIfNeeded: z & mask)
    }

    /// Unseeded FNV-1a of raw bytes (dictionary keys for abbreviations).
    @inline(__always)
    static func raw(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        add(0xCBF2_9CE4_8422_2325, bytes, range)
    }
}
