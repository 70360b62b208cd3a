/// How `BodyPartExamined` is presented to the model during evaluation.
public enum BPECondition: Sendable, Hashable, CustomStringConvertible {
    /// As stored in the header.
    case asIs
    /// Removed.
    case hidden
    /// In a share `rate` of series, replaced by a random other class term (seeded).
    case corrupted(rate: Double, seed: UInt64)

    /// The three standard conditions (corruption 20 %, seed 42).
    public static let standard: [BPECondition] = [.asIs, .hidden, .corrupted(rate: 0.2, seed: 42)]

    /// Short name (`as-is`, `hidden`, `corrupted`).
    public var description: String {
        switch self {
        case .asIs: "as-is"
        case .hidden: "hidden"
        case .corrupted: "corrupted"
        }
    }

    /// The metadata as the model sees it under this condition; `index` makes corruption
    /// reproducible per series, `terms` are the candidate replacement terms.
    public func apply(_ metadata: SeriesMetadata, label: String, index: Int, terms: [String]) -> SeriesMetadata {
        switch self {
        case .asIs:
            return metadata
        case .hidden:
            return metadata.withBodyPartExamined(nil)
        case .corrupted(let rate, let seed):
            var rng = SplitMix(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            guard rng.unit() < rate else { return metadata }
            let others = terms.filter { $0 != label }
            guard !others.isEmpty else { return metadata }
            return metadata.withBodyPartExamined(others[Int(rng.next() % UInt64(others.count))])
        }
    }
}
