import Foundation

/// One DICOM Body Part Examined defined term, with its SNOMED CT code and the class it maps to.
public struct BodyPartTerm: Sendable, Hashable, Codable {
    /// The defined term as written in BodyPartExamined, e.g. `PROSTATE`.
    public let definedTerm: String
    /// SNOMED CT concept id, e.g. `41216001`.
    public let snomedCode: String
    /// SNOMED CT code meaning, e.g. `Prostate`.
    public let codeMeaning: String
    /// The classification class this term maps to (`PELVIS` for `PROSTATE`; a class maps to itself).
    /// Empty for the few terms that name no place in the body (`ARTERY`, `VEIN`, `JOINT`, ...).
    public let region: String
    /// Where the term comes from: `L-1` (PS3.16 Table L-1), `extended` (organ/vessel list) or `project`.
    public let source: String

    /// Creates a term; the loader is the usual way to get one.
    public init(definedTerm: String, snomedCode: String, codeMeaning: String, region: String, source: String) {
        self.definedTerm = definedTerm
        self.snomedCode = snomedCode
        self.codeMeaning = codeMeaning
        self.region = region
        self.source = source
    }

    /// Whether the term names a place in the body, i.e. has a region.
    public var isLocalizing: Bool { !region.isEmpty }

    /// Whether the term is itself a classification class.
    public var isClass: Bool { region == definedTerm }

    /// The SNOMED CT coding scheme designator used for `snomedCode`.
    public static let codingScheme = "SCT"
}

/// How a raw BodyPartExamined value was recognised.
public enum NormalizationKind: String, Sendable, Codable {
    /// The value is, byte for byte (ignoring padding), a defined term that is a class.
    case exact
    /// A synonym, another spelling or a known non-standard value of a term (`WHOLE BODY`, `Brain`, `BACINO`).
    case synonym
    /// A narrower term (organ, bone, vessel, sub-region) mapped to the region that was scanned (`PROSTATE` → `PELVIS`).
    case organ
    /// Not recognised, empty, or a term that names no region (`OTHER`, `JPEG 2000 Compressed Image`).
    case unknown
}

/// The result of normalizing one raw BodyPartExamined value.
public struct Normalization: Sendable, Hashable {
    /// The value as given.
    public let raw: String
    /// The class it maps to, or nil when unknown.
    public let term: String?
    /// The defined term recognised before mapping to its class (`PROSTATE` for `term == PELVIS`), or nil.
    public let matched: String?
    /// How it was recognised.
    public let kind: NormalizationKind

    /// Creates a normalization result.
    public init(raw: String, term: String?, matched: String?, kind: NormalizationKind) {
        self.raw = raw
        self.term = term
        self.matched = matched
        self.kind = kind
    }
}
