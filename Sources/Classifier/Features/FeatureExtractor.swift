import Anatomy

/// Turns a series' metadata into hashed features.
///
/// Text fields are normalized (``ByteText``), split into words, and hashed as word unigrams
/// and bigrams per field; description-like fields also feed a pooled namespace with word
/// unigrams, bigrams and character n-grams (within words), so that vocabulary learnt from one
/// field (RIS procedure names) carries over to another (series descriptions). Abbreviations
/// add their expansion words. Categorical and geometric fields are hashed as single values.
/// `BodyPartExamined` is one text field among others and is never pooled with descriptions.
public struct FeatureExtractor: Sendable {
    /// Hashing parameters; must match the model's.
    public let hashing: FeatureHashing
    /// The taxonomy whose rule matches become features (feature version 2); nil: text only.
    public let taxonomy: Taxonomy?
    /// Class names (UTF-8) of `taxonomy.classes`, indexed by class index.
    let classBytes: [[UInt8]]
    let classIndex: [String: UInt8]
    /// Relation of class i to class j: 0 same, 1 equivalent, 2 i contains j, 3 j contains i, 4 conflict.
    let relation: [UInt8]
    /// Per class m, the classes c related to it (same, equivalent, containing or contained:
    /// `relation[c·T + m] ≤ 3`), for the shared evidence.
    let related: [[UInt8]]

    /// Creates an extractor with the given hashing parameters; rule features need `taxonomy`.
    public init(hashing: FeatureHashing = .standard, taxonomy: Taxonomy? = nil) {
        self.hashing = hashing
        self.taxonomy = hashing.usesRules ? taxonomy : nil
        let classes = self.taxonomy?.classes ?? []
        classBytes = classes.map { Array($0.utf8) }
        classIndex = Dictionary(uniqueKeysWithValues: classes.prefix(250).enumerated().map { ($1, UInt8($0)) })
        var rel = [UInt8](repeating: 4, count: classes.count * classes.count)
        if let taxonomy = self.taxonomy {
            for (i, a) in classes.enumerated() {
                for (j, b) in classes.enumerated() {
                    rel[i * classes.count + j] = i == j ? 0 : taxonomy.areEquivalent(a, b) ? 1
                        : taxonomy.contains(a, b) ? 2 : taxonomy.contains(b, a) ? 3 : 4
                }
            }
        }
        relation = rel
        let t = classes.count
        related = (0..<t).map { m in (0..<t).filter { c in rel[c * t + m] <= 3 }.map { UInt8($0) } }
    }

    /// Description-like text fields: per-field words plus the pooled namespace.
    static let descriptionFields: [(String, FeatureField)] = [
        ("StudyDescription", .studyDescription), ("SeriesDescription", .seriesDescription),
        ("ProtocolName", .protocolName), ("RequestedProcedureDescription", .requestedProcedureDescription),
        ("PerformedProcedureStepDescription", .performedProcedureStepDescription),
        ("ReasonForStudy", .reasonForStudy),
    ]

    /// For each description field, its slot in ``ruleFields`` (−1: no rule features).
    static let ruleSlot: [Int] = descriptionFields.map { d in ruleFields.firstIndex { $0.1 == ruleField(d.1) } ?? -1 }

    static func ruleField(_ f: FeatureField) -> FeatureField? {
        switch f {
        case .studyDescription: .ruleStudy
        case .seriesDescription: .ruleSeries
        case .protocolName: .ruleProtocol
        case .requestedProcedureDescription: .ruleRequested
        case .performedProcedureStepDescription: .rulePerformed
        default: nil
        }
    }

    /// Categorical fields hashed as one normalized value.
    static let categoricalFields: [(String, FeatureField)] = [
        ("Modality", .modality), ("ManufacturerModelName", .manufacturerModelName), ("SOPClassUID", .sopClass),
        ("ViewPosition", .viewPosition), ("PatientPosition", .patientPosition), ("Laterality", .laterality),
        ("ImageLaterality", .laterality), ("PatientSex", .patientSex), ("InstitutionName", .institution),
        ("StationName", .station),
    ]

    /// Every keyword extraction reads, in slot order. `extract` looks each attribute of a series up
    /// once in ``slotOfKeyword`` (one hash per attribute present, ~10 for an IDC row) rather than
    /// hashing each of the 27 keywords it wants: `String` hashing was a tenth of the time.
    static let keywords: [String] = descriptionFields.map(\.0) + ["BodyPartExamined", "ImageType"]
        + categoricalFields.map(\.0) + ["Manufacturer", "ImageOrientationPatient", "SliceThickness", "PixelSpacing",
                                         "ImagerPixelSpacing", "NumberOfFrames", SeriesMetadata.zExtentKey,
                                         "ContrastBolusAgent", "PatientAge"]
    static let slotOfKeyword: [String: Int] = Dictionary(uniqueKeysWithValues: keywords.enumerated().map { ($1, $0) })
    /// Slots of single keywords (``keywords`` order).
    enum Slot {
        static let bodyPartExamined = 6, imageType = 7, categorical = 8, modality = 8, manufacturer = 18
        static let orientation = 19, sliceThickness = 20, pixelSpacing = 21, imagerPixelSpacing = 22, frames = 23
        static let zExtent = 24, contrast = 25, age = 26
    }

    /// Extracts the features of `metadata` into a new vector.
    public func extract(_ metadata: SeriesMetadata) -> FeatureVector {
        var v = FeatureVector()
        extract(metadata, into: &v)
        return v
    }

    /// Extracts the features of `metadata` into `v`, reusing its storage.
    public func extract(_ metadata: SeriesMetadata, into v: inout FeatureVector) {
        v.reset()
        if v.slots.count != Self.keywords.count { v.slots = [String?](repeating: nil, count: Self.keywords.count) }
        for (key, value) in metadata.attributes {
            if let slot = Self.slotOfKeyword[key] { v.slots[slot] = value }
        }
        let slots = v.slots
        let rules = taxonomy != nil
        for (i, (_, field)) in Self.descriptionFields.enumerated() {
            if let value = slots[i], !value.isEmpty {
                addText(value, field: field, pooled: true, charGrams: true, into: &v)
                let r = Self.ruleSlot[i]
                if rules && r >= 0 { v.ruleMatches[r].append(contentsOf: ruleMatches(value, cache: &v)) }
            }
        }
        if let value = slots[Slot.bodyPartExamined], !value.isEmpty {
            addText(value, field: .bodyPartExamined, pooled: false, charGrams: true, into: &v)
            if rules { (v.bpeClass, v.bpeKind) = normalized(value, cache: &v) }
        }
        if let value = slots[Slot.imageType], !value.isEmpty {
            addText(value, field: .imageType, pooled: false, charGrams: false, into: &v)
        }
        for (j, (_, field)) in Self.categoricalFields.enumerated() {
            if let value = slots[Slot.categorical + j], !value.isEmpty {
                addCategory(value, field: field, firstWordOnly: false, into: &v)
                if field == .modality { v.modality = Self.modalitySlot(value) }
                if field == .patientSex, let c = value.utf8.first { v.values[6] = c == 0x4D || c == 0x6D ? 1 : (c == 0x46 || c == 0x66 ? 2 : 0) }
            }
        }
        if let value = slots[Slot.manufacturer], !value.isEmpty {
            addCategory(value, field: .manufacturer, firstWordOnly: true, into: &v)
        }
        addNumeric(slots, instanceCount: metadata.instanceCount, into: &v)
        if rules { addRules(modality: slots[Slot.modality] ?? "", into: &v) }
    }

    /// Hashes the words of one text field.
    func addText(_ value: String, field: FeatureField, pooled: Bool, charGrams: Bool, into v: inout FeatureVector) {
        let range = ByteText.withBytes(value) { ByteText.appendNormalized($0, to: &v.text) }
        guard !range.isEmpty else { return }
        let textCopy = v.text
        textCopy.withUnsafeBufferPointer { buf in
            var prev: Range<Int>? = nil
            var i = range.lowerBound
            while i < range.upperBound {
                var j = i
                var hasLetter = false
                while j < range.upperBound && buf[j] != ByteText.space {
                    let b = buf[j]
                    if b < 0x30 || b > 0x39 { hasLetter = true }
                    j += 1
                }
                let word = i..<j
                i = j + 1
                if !hasLetter && word.count > 2 { prev = nil; continue }
                addWord(buf, word, prev: prev, field: field, pooled: pooled, charGrams: charGrams && hasLetter, into: &v)
                prev = word
            }
        }
    }

    @inline(__always)
    func addWord(_ buf: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, prev: Range<Int>?, field: FeatureField,
                 pooled: Bool, charGrams: Bool, into v: inout FeatureVector) {
        let h = hashing
        v.add(h.bucket(FeatureHashing.add(h.start(field, .word), buf, word)), field, word)
        if pooled { v.add(h.bucket(FeatureHashing.add(h.start(.descriptions, .word), buf, word)), field, word) }
        if let prev {
            let span = prev.lowerBound..<word.upperBound
            v.add(h.bucket(FeatureHashing.add(h.start(field, .bigram), buf, span)), field, span)
            if pooled { v.add(h.bucket(FeatureHashing.add(h.start(.descriptions, .bigram), buf, span)), field, span) }
        }
        if charGrams && word.count >= 2 {
            addCharGrams(buf, word, namespace: pooled ? .descriptions : field, origin: field, into: &v)
        }
        if word.count >= 2 && word.count <= 16, let expansion = Abbreviations.byHash[FeatureHashing.raw(buf, word)] {
            for extra in expansion {
                extra.withUnsafeBufferPointer { e in
                    v.add(h.bucket(FeatureHashing.add(h.start(field, .word), e, 0..<e.count)), field, word)
                    if pooled { v.add(h.bucket(FeatureHashing.add(h.start(.descriptions, .word), e, 0..<e.count)), field, word) }
                }
            }
        }
    }

    /// Character n-grams of the word padded as `<word>`.
    @inline(__always)
    func addCharGrams(_ buf: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, namespace: FeatureField,
                      origin: FeatureField, into v: inout FeatureVector) {
        let h = hashing
        let length = word.count + 2
        let base = h.start(namespace, .charGram)
        let lo = word.lowerBound
        for s in 0..<length {
            var acc = base
            for n in 0..<min(h.charGramMax, length - s) {
                let p = s + n
                let b: UInt8 = p == 0 ? 0x3C : (p == length - 1 ? 0x3E : buf[lo + p - 1])
                acc = FeatureHashing.add(acc, b)
                if n + 1 >= h.charGramMin { v.add(h.bucket(acc), origin, word) }
            }
        }
    }

    /// Hashes a categorical value (normalized; optionally only its first word).
    func addCategory(_ value: String, field: FeatureField, firstWordOnly: Bool, into v: inout FeatureVector) {
        var range = ByteText.withBytes(value) { ByteText.appendNormalized($0, to: &v.text) }
        guard !range.isEmpty else { return }
        if firstWordOnly, let space = v.text[range].firstIndex(of: ByteText.space) {
            range = range.lowerBound..<space
        }
        let hv = v.text.withUnsafeBufferPointer { FeatureHashing.add(hashing.start(field, .category), $0, range) }
        v.add(hashing.bucket(hv), field, range)
    }

    /// Hashes a derived label (bucket of a number, orientation) for `field`.
    func addLabel(_ label: StaticString, field: FeatureField, into v: inout FeatureVector) {
        let range = v.appendLabel(label)
        let hv = v.text.withUnsafeBufferPointer { FeatureHashing.add(hashing.start(field, .category), $0, range) }
        v.add(hashing.bucket(hv), field, range)
    }
}

extension FeatureExtractor {
    /// Only the features of a `BodyPartExamined` value (for augmentation during training).
    public func extractBodyPartExamined(_ value: String, into v: inout FeatureVector) {
        v.reset()
        if !value.isEmpty { addText(value, field: .bodyPartExamined, pooled: false, charGrams: true, into: &v) }
    }
}
