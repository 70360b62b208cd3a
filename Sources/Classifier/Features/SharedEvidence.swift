import Anatomy

/// Class-shared evidence: features of a (series, candidate class) pair rather than of the
/// series alone, with one weight each for all classes.
///
/// The hashed features give every class its own weights, so what the model learns about "the
/// series description names the body part" for CHEST (thousands of IDC series) teaches it
/// nothing about KNEE or ELBOW, which IDC hardly has: a knee series named "Knee (R)" was answered
/// LEG or CHEST. These features say, for each candidate class, how the taxonomy's rule matches
/// of the series' own fields relate to it (the series description's first match *is* this class,
/// names a part of it, a region containing it; BodyPartExamined normalizes to it...), and their
/// weights are learnt from every class at once, so the lesson transfers to classes the training
/// data rarely shows (a conditional-logit model: score(c) = linear(c) + Σₖ vₖ·φₖ(series, c)).
///
/// Computed in taxonomy class space from what the extraction left in the ``FeatureVector``
/// (rule matches per field, normalized BodyPartExamined): no extra matching.
public enum SharedEvidence {
    /// Feature names, in weight order (stored in the model file, which must list the same).
    public static let names: [String] = {
        var n: [String] = []
        for level in ["series", "study"] {
            n += ["a \(level) description's first match is it", "a \(level) description names it (not first)",
                  "a \(level) description's first match is a part of it", "a \(level) description's first match contains it"]
        }
        n += ["unambiguous rule match of all fields is it", "first rule match over the fields is it",
              "every matching field's first match agrees with it",
              "BodyPartExamined is it (defined term)", "BodyPartExamined is it (synonym)",
              "BodyPartExamined is it (organ)", "BodyPartExamined is a part of it",
              "BodyPartExamined contains it", "BodyPartExamined and the first rule match are it",
              "BodyPartExamined conflicts with the first rule match, which is it"]
        return n
    }()

    /// The level of each rule field (``FeatureExtractor/ruleFields`` order): Series Description
    /// and Protocol Name describe the series (0), the others the study (1). The weights are tied
    /// per level: IDC, the training data, has series and study descriptions only, so weights
    /// per field would leave ProtocolName and the procedure fields at zero.
    static let fieldLevel = [0, 0, 1, 1, 1]

    /// Number of features (≤ 32: one bit each).
    public static var count: Int { names.count }
    static let fieldBits = 4
    static let unambiguous = 8, firstOverall = 9, allAgree = 10, bpeExact = 11, bpePartOf = 14, bpeContains = 15
    static let bpeAndRule = 16, bpeConflictRule = 17
}

extension FeatureExtractor {
    /// Fills `v.evidenceBits` (per taxonomy class, one bit per ``SharedEvidence`` feature) and
    /// `v.evidenceClasses` (the classes with any bit set) from the rule matches and the
    /// normalized BodyPartExamined of the last extraction. Called after ``extract(_:into:)``
    /// only for models with shared weights: the others never read it.
    func addSharedEvidence(into v: inout FeatureVector) {
        let t = classBytes.count
        if v.evidenceBits.count != t { v.evidenceBits = [UInt32](repeating: 0, count: t) }
        guard t > 0 else { return }
        @inline(__always) func set(_ c: Int, _ bit: Int) {
            if v.evidenceBits[c] == 0 { v.evidenceClasses.append(UInt8(c)) }
            v.evidenceBits[c] |= UInt32(1) << UInt32(bit)
        }
        var first = -1, ambiguous = false, matchedFields = 0
        for j in 0..<Self.ruleFields.count {
            let matches = v.ruleMatches[j]
            guard let top = matches.first.map(Int.init) else { continue }
            matchedFields += 1
            if first < 0 { first = top }
            let base = SharedEvidence.fieldLevel[j] * SharedEvidence.fieldBits
            for c8 in related[top] {
                let c = Int(c8)
                switch relation[c * t + top] {
                case 0, 1: set(c, base)
                case 2: set(c, base + 2)
                default: set(c, base + 3)
                }
            }
            for m in matches.dropFirst() {
                for c8 in related[Int(m)] where relation[Int(c8) * t + Int(m)] <= 1 && relation[Int(c8) * t + top] > 1 {
                    set(Int(c8), base + 1)
                }
            }
            for m in matches where relation[first * t + Int(m)] > 2 { ambiguous = true }
        }
        if first >= 0 {
            for c8 in related[first] where relation[Int(c8) * t + first] <= 1 {
                let c = Int(c8)
                set(c, SharedEvidence.firstOverall)
                if !ambiguous { set(c, SharedEvidence.unambiguous) }
                var agree = 0
                for j in 0..<Self.ruleFields.count {
                    if let top = v.ruleMatches[j].first, relation[c * t + Int(top)] <= 1 { agree += 1 }
                }
                if agree == matchedFields { set(c, SharedEvidence.allAgree) }
            }
        }
        let b = Int(v.bpeClass)
        guard v.bpeClass != Self.noClass, v.bpeKind <= 2 else { return }
        for c8 in related[b] {
            let c = Int(c8)
            switch relation[c * t + b] {
            case 0, 1:
                set(c, SharedEvidence.bpeExact + Int(v.bpeKind))
                if first >= 0 && relation[c * t + first] <= 1 { set(c, SharedEvidence.bpeAndRule) }
            case 2: set(c, SharedEvidence.bpePartOf)
            default: set(c, SharedEvidence.bpeContains)
            }
        }
        if first >= 0 && relation[b * t + first] == 4 {
            for c8 in related[first] where relation[Int(c8) * t + first] <= 1 && relation[Int(c8) * t + b] == 4 {
                set(Int(c8), SharedEvidence.bpeConflictRule)
            }
        }
    }

    /// Per taxonomy class, the index of `classes` holding it (−1: not a model class).
    func modelIndex(of classes: [String]) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        guard let names = taxonomy?.classes else { return [] }
        return names.map { index[$0] ?? -1 }
    }
}

extension FeatureVector {
    /// The shared evidence of the last extraction in model class space: `(class, bits)` packed
    /// as `class << 32 | bits`, for the classes of `modelIndex` that have any.
    func sharedPairs(_ modelIndex: [Int], into out: inout [UInt64]) {
        out.removeAll(keepingCapacity: true)
        for c in evidenceClasses {
            let k = Int(c) < modelIndex.count ? modelIndex[Int(c)] : -1
            if k >= 0 { out.append(UInt64(k) << 32 | UInt64(evidenceBits[Int(c)])) }
        }
    }
}

extension LinearWeights {
    /// Adds the shared evidence weights of `pairs` (``FeatureVector/sharedPairs(_:into:)``) to `out`.
    @inline(__always)
    func addShared(_ pairs: UnsafeBufferPointer<UInt64>, into out: UnsafeMutablePointer<Float>) {
        guard !shared.isEmpty else { return }
        for p in pairs {
            var bits = UInt32(truncatingIfNeeded: p)
            var sum: Float = 0
            while bits != 0 {
                sum += shared[bits.trailingZeroBitCount]
                bits &= bits - 1
            }
            out[Int(p >> 32)] += sum
        }
    }
}
