import Anatomy

/// The dense feature vector the forest reads: per-field rule-match one-hots, the normalized
/// BodyPartExamined and its relation to the descriptions, modality, orientation, slice
/// thickness, pixel spacing, z-extent, frames, instances, contrast, age, sex, and the linear
/// model's class probabilities (stacking). Missing numbers are −1.
///
/// Layout (T = taxonomy classes, C = model classes): 5 fields × T first-class one-hots, T for
/// the first class over all fields, T "named anywhere", T normalized BodyPartExamined, 5
/// BodyPartExamined kinds (exact, synonym, organ, unknown, present), 6 BodyPartExamined
/// relations (same, equivalent, contains, contained, conflict, no rule class), 6 field relations
/// (single, same, equivalent, contains, contained, conflict), fields matched, modalities,
/// 4 orientations, 8 numbers, then C linear probabilities.
extension FeatureExtractor {
    /// Modalities with their own one-hot; others share the last slot.
    static let denseModalities = ["CT", "MR", "PT", "NM", "CR", "DX", "MG", "US", "XA", "RF", "OT", "SEG", "SR", "PR",
                                  "RTSTRUCT", "RTDOSE", "RTPLAN", "SM", "KO", "REG", "DR", "IO", "PX", "ES", "XC"]

    static let modalityIndex: [String: Int8] = Dictionary(uniqueKeysWithValues: denseModalities.enumerated().map { ($1, Int8($0)) })

    /// The modality's one-hot slot (unknown modalities share the last one).
    static func modalitySlot(_ value: String) -> Int8 {
        if let i = modalityIndex[value] { return i }
        let cleaned = value.trimmingCharacters(in: .whitespaces).uppercased()
        return cleaned.isEmpty ? -1 : (modalityIndex[cleaned] ?? Int8(denseModalities.count))
    }

    /// Length of the dense vector for `classCount` model classes.
    func denseCount(classCount: Int) -> Int {
        let t = classBytes.count
        return 8 * t + 5 + 6 + 6 + 1 + Self.denseModalities.count + 1 + 4 + 8 + classCount
    }

    /// Fills `out` (resized to ``denseCount(classCount:)``) for `metadata`; `linear` holds the
    /// linear model's probabilities. Reads the rule matches that ``extract(_:into:)`` of the same
    /// metadata left in `v`.
    func dense(_ metadata: SeriesMetadata, linear: [Float], into out: inout [Float], cache v: inout FeatureVector) {
        let t = classBytes.count
        let count = denseCount(classCount: linear.count)
        if out.count != count { out = [Float](repeating: 0, count: count) } else {
            for i in out.indices { out[i] = 0 }
        }
        var first = Self.noClass, firsts = 0, worst = 0
        if taxonomy != nil {
            for j in 0..<Self.ruleFields.count {
                let matches = v.ruleMatches[j]
                guard let top = matches.first else { continue }
                out[j * t + Int(top)] = 1
                if first == Self.noClass { first = top } else {
                    worst = max(worst, Int(relation[Int(first) * t + Int(top)]))
                }
                firsts += 1
                for m in matches { out[6 * t + Int(m)] = 1 }
            }
        }
        if first != Self.noClass { out[5 * t + Int(first)] = 1 }
        var o = 8 * t
        if taxonomy != nil, v.bpeKind != Self.noClass {
            let (cls, kind) = (v.bpeClass, v.bpeKind)
            out[o + Int(kind)] = 1
            out[o + 4] = 1
            if cls != Self.noClass {
                out[7 * t + Int(cls)] = 1
                let r = first == Self.noClass ? 5 : Int(relation[Int(cls) * t + Int(first)])
                out[o + 5 + r] = 1
            }
        }
        o += 5 + 6
        if firsts > 0 { out[o + (firsts == 1 ? 0 : 1 + worst)] = 1 }
        o += 6
        out[o] = Float(firsts)
        o += 1
        if v.modality >= 0 { out[o + Int(v.modality)] = 1 }
        o += Self.denseModalities.count + 1
        if v.orientation >= 0 { out[o + Int(v.orientation)] = 1 }
        o += 4
        out[o] = v.values[0]
        out[o + 1] = v.values[1]
        out[o + 2] = v.values[2]
        out[o + 3] = v.values[3]
        out[o + 4] = Float(metadata.instanceCount)
        out[o + 5] = v.values[4]
        out[o + 6] = v.values[5]
        out[o + 7] = v.values[6]
        o += 8
        for k in linear.indices { out[o + k] = linear[k] }
    }
}
