/// The hashed features of one series, with where each came from.
///
/// Reused between series (``FeatureExtractor/extract(_:into:)`` clears it) so that the hot path
/// does not allocate once its arrays have grown.
public struct FeatureVector: Sendable {
    /// Bucket index of each feature (a feature may repeat).
    public internal(set) var indices: [UInt32] = []
    /// Field and text range of each feature, parallel to `indices`.
    var origins: [FeatureOrigin] = []
    /// Normalized text of every field, which the origins point into.
    var text: [UInt8] = []
    /// The series' attribute values in ``FeatureExtractor/keywords`` order (nil: absent).
    var slots: [String?] = []
    /// Scratch space for parsed numbers.
    var numbers: [Double] = []
    /// Rule matches (class indices, ranked) of recently seen description texts: header text repeats
    /// across the series of a study and a site, and `Taxonomy.ruleMatch` builds strings.
    /// Keyed by a 64-bit FNV-1a hash of the text's bytes (cheaper than `String` hashing); the
    /// text is kept to rule out collisions.
    var ruleCache: [UInt64: (text: String, classes: [UInt8])] = [:]
    /// Normalized BodyPartExamined (class index, kind) of recently seen values.
    var normCache: [UInt64: (text: String, cls: UInt8, kind: UInt8)] = [:]
    /// What the last extraction's rule features found, for the dense forest features: each rule
    /// field's ranked classes (empty when none), the normalized BodyPartExamined class and kind.
    var ruleMatches: [[UInt8]] = [[], [], [], [], []]
    var bpeClass: UInt8 = 255
    var bpeKind: UInt8 = 255
    /// Class-shared evidence of the last extraction (``SharedEvidence``): per taxonomy class a bit
    /// set, and the classes whose set is not empty.
    var evidenceBits: [UInt32] = []
    var evidenceClasses: [UInt8] = []
    /// Geometry and numbers of the last extraction for the dense features: orientation
    /// (0 axial, 1 coronal, 2 sagittal, 3 oblique, -1 none), slice thickness, pixel spacing,
    /// z-extent, frames, contrast (0/1), age in years, sex (1 M, 2 F, 0 other); −1 when absent.
    var orientation: Int8 = -1
    /// Index of the modality in `FeatureExtractor.denseModalities` (its count: other; −1: none).
    var modality: Int8 = -1
    var values: [Float] = [-1, -1, -1, -1, 0, -1, 0]
    /// Most entries kept in each cache before it is emptied.
    static let cacheLimit = 65_536

    /// Creates an empty vector.
    public init() {
        indices.reserveCapacity(512)
        origins.reserveCapacity(512)
        text.reserveCapacity(512)
        numbers.reserveCapacity(8)
    }

    /// Number of features.
    public var count: Int { indices.count }

    mutating func reset() {
        orientation = -1
        modality = -1
        for i in values.indices { values[i] = -1 }
        values[4] = 0
        values[6] = 0
        for j in ruleMatches.indices { ruleMatches[j].removeAll(keepingCapacity: true) }
        bpeClass = 255
        bpeKind = 255
        for i in slots.indices { slots[i] = nil }
        for c in evidenceClasses { evidenceBits[Int(c)] = 0 }
        evidenceClasses.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func add(_ index: UInt32, _ field: FeatureField, _ range: Range<Int>) {
        indices.append(index)
        origins.append(FeatureOrigin(field: field, start: Int32(range.lowerBound), length: Int32(range.count)))
    }

    /// Appends a literal label to the text buffer and returns its range.
    @inline(__always)
    mutating func appendLabel(_ label: StaticString) -> Range<Int> {
        let start = text.count
        label.withUTF8Buffer { text.append(contentsOf: $0) }
        return start..<text.count
    }

    /// The field and the text (word or value) that produced feature `i`.
    public func origin(of i: Int) -> (field: FeatureField, term: String) {
        let o = origins[i]
        let start = Int(o.start)
        let term = String(decoding: text[start..<(start + Int(o.length))], as: UTF8.self)
        return (o.field, term)
    }
}

/// Field and byte range in ``FeatureVector/text`` of one feature.
struct FeatureOrigin: Sendable, Hashable {
    var field: FeatureField
    var start: Int32
    var length: Int32
}
