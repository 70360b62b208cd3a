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
    /// Scratch space for parsed numbers.
    var numbers: [Double] = []

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
