import Anatomy

/// Rule-derived features (feature version 2): the classes `Taxonomy.ruleMatch` finds in each
/// description field (first and every match, per field and pooled), the normalized
/// BodyPartExamined, and how they relate (same, equivalent, containing, conflicting).
///
/// These carry the multilingual synonym and abbreviation knowledge of `Rules/body-parts.yaml`,
/// which transfers across sites where a collection's own vocabulary does not.
extension FeatureExtractor {
    /// Description fields in `RuleBaseline` order, with their rule feature field.
    static let ruleFields: [(String, FeatureField)] = [
        ("SeriesDescription", .ruleSeries), ("ProtocolName", .ruleProtocol), ("StudyDescription", .ruleStudy),
        ("RequestedProcedureDescription", .ruleRequested), ("PerformedProcedureStepDescription", .rulePerformed),
    ]
    static let noClass: UInt8 = 255
    static let relationNames: [StaticString] = ["SAME", "EQUIVALENT", "CONTAINS", "CONTAINED", "CONFLICT"]
    static let kindNames: [StaticString] = ["EXACT", "SYNONYM", "ORGAN", "UNKNOWN"]

    func addRules(modality: String, into v: inout FeatureVector) {
        var first = Self.noClass
        var firsts: [UInt8] = []
        var seenAny: UInt64 = 0, seenAnyHigh: UInt64 = 0
        for (j, (_, field)) in Self.ruleFields.enumerated() {
            let matches = v.ruleMatches[j]
            guard let top = matches.first else { continue }
            if first == Self.noClass { first = top }
            firsts.append(top)
            addClass(top, field: field, kind: .ruleFirst, into: &v)
            for m in matches {
                addClass(m, field: field, kind: .ruleAny, into: &v)
                let bit = UInt64(1) << UInt64(m & 63)
                if m < 64 {
                    if seenAny & bit == 0 { seenAny |= bit; addClass(m, field: .ruleAny, kind: .ruleAny, into: &v) }
                } else if seenAnyHigh & bit == 0 {
                    seenAnyHigh |= bit; addClass(m, field: .ruleAny, kind: .ruleAny, into: &v)
                }
            }
        }
        if first == Self.noClass {
            addLabel("NONE", field: .ruleFirst, into: &v)
            if !modality.isEmpty { addClassCross(modality, nil, field: .ruleModality, into: &v) }
        } else {
            addClass(first, field: .ruleFirst, kind: .ruleFirst, into: &v)
            if !modality.isEmpty { addClassCross(modality, first, field: .ruleModality, into: &v) }
            // Worst relation between the fields' first classes.
            var worst = 0
            for f in firsts.dropFirst() { worst = max(worst, Int(relation[Int(first) * classBytes.count + Int(f)])) }
            addLabel(firsts.count == 1 ? "SINGLE" : Self.relationNames[worst], field: .ruleRelation, into: &v)
        }
        guard v.bpeKind != Self.noClass else { return }
        let (cls, kind) = (v.bpeClass, v.bpeKind)
        addLabel(Self.kindNames[Int(kind)], field: .bpeNormalized, into: &v)
        guard cls != Self.noClass else { return }
        addClass(cls, field: .bpeNormalized, kind: .ruleFirst, into: &v)
        if first == Self.noClass {
            addLabel("NORULE", field: .bpeRelation, into: &v)
        } else {
            let r = Int(relation[Int(cls) * classBytes.count + Int(first)])
            addLabel(Self.relationNames[r], field: .bpeRelation, into: &v)
            if r == 4 { addClass(first, field: .bpeRelation, kind: .ruleAny, into: &v) }
        }
    }

    /// Ranked class indices `Taxonomy.ruleMatch` finds in `text`, cached in the vector.
    func ruleMatches(_ text: String, cache v: inout FeatureVector) -> [UInt8] {
        let key = Self.key(text)
        if let hit = v.ruleCache[key], hit.text == text { return hit.classes }
        let classes = taxonomy!.ruleMatch(text).compactMap { classIndex[$0] }
        if v.ruleCache.count >= FeatureVector.cacheLimit { v.ruleCache.removeAll(keepingCapacity: true) }
        v.ruleCache[key] = (text, classes)
        return classes
    }

    /// FNV-1a of the UTF-8 bytes: the cache key.
    @inline(__always)
    static func key(_ text: String) -> UInt64 {
        ByteText.withBytes(text) { FeatureHashing.raw($0, 0..<$0.count) }
    }

    /// Class index and kind (0 exact, 1 synonym, 2 organ, 3 unknown) of a BodyPartExamined value.
    func normalized(_ raw: String, cache v: inout FeatureVector) -> (UInt8, UInt8) {
        let key = Self.key(raw)
        if let hit = v.normCache[key], hit.text == raw { return (hit.cls, hit.kind) }
        let n = taxonomy!.normalize(raw)
        let kind: UInt8 = switch n.kind { case .exact: 0; case .synonym: 1; case .organ: 2; case .unknown: 3 }
        let out = (n.term.flatMap { classIndex[$0] } ?? Self.noClass, n.term == nil ? 3 : kind)
        if v.normCache.count >= FeatureVector.cacheLimit { v.normCache.removeAll(keepingCapacity: true) }
        v.normCache[key] = (raw, out.0, out.1)
        return out
    }

    /// Hashes a class name for `field`.
    @inline(__always)
    func addClass(_ cls: UInt8, field: FeatureField, kind: FeatureKind, into v: inout FeatureVector) {
        let start = v.text.count
        v.text.append(contentsOf: classBytes[Int(cls)])
        let range = start..<v.text.count
        let hv = v.text.withUnsafeBufferPointer { FeatureHashing.add(hashing.start(field, kind), $0, range) }
        v.add(hashing.bucket(hv), field, range)
    }

    /// Hashes modality crossed with a class name (or NONE).
    func addClassCross(_ modality: String, _ cls: UInt8?, field: FeatureField, into v: inout FeatureVector) {
        let start = v.text.count
        let range = ByteText.withBytes(modality) { ByteText.appendNormalized($0, to: &v.text) }
        guard !range.isEmpty else { return }
        v.text.append(ByteText.space)
        if let cls { v.text.append(contentsOf: classBytes[Int(cls)]) } else { v.text.append(contentsOf: Array("NONE".utf8)) }
        let full = start..<v.text.count
        let hv = v.text.withUnsafeBufferPointer { FeatureHashing.add(hashing.start(field, .category), $0, full) }
        v.add(hashing.bucket(hv), field, full)
    }
}
