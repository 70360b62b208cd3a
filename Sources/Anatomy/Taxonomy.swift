import Foundation

/// The body-part taxonomy loaded from `Rules/body-parts.yaml`: classes, defined terms with SNOMED
/// codes, organ → region mapping, equivalences, multilingual synonyms and known non-standard values.
///
/// Immutable and `Sendable`: load once, share across threads.
public struct Taxonomy: Sendable {
    /// The classification classes, in the order the YAML lists them.
    public let classes: [String]
    /// Every defined term by name (classes, organs, bones, vessels, ...).
    let terms: [String: BodyPartTerm]
    /// Class → classes judged the same answer (symmetric; HEAD ↔ BRAIN).
    let equivalents: [String: Set<String>]
    /// Class → every class it strictly contains (transitive closure, widened by equivalents).
    let containment: [String: Set<String>]
    /// Free-text phrase matching (synonyms, term names, ignore list, composites).
    let matcher: PhraseMatcher
    /// Normalized whole raw value → defined term.
    let nonstandard: [String: String]
    /// Dedicated MR receive coils and the region each is built for (``CoilVocabulary``).
    public let coils: CoilVocabulary

    /// Loads and validates a taxonomy file.
    /// - Throws: `TaxonomyError.invalid` with the file, line and key of the first problem.
    public static func load(from url: URL) throws -> Taxonomy {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TaxonomyError.invalid(file: url.path, line: 0, key: "", message: "cannot read: \(error.localizedDescription)")
        }
        return try Taxonomy(data: TaxonomyLoader(file: url.path).parse(text))
    }

    /// Loads `body-parts.yaml` from the folder `RulesDirectory.locate()` finds.
    public static func standard() throws -> Taxonomy {
        try load(from: RulesDirectory.locate().appendingPathComponent(RulesDirectory.markerFile))
    }

    init(data: TaxonomyData) throws {
        classes = data.classes
        terms = data.terms
        var eq: [String: Set<String>] = [:]
        for (a, b) in data.equivalent where a != b {
            eq[a, default: []].insert(b)
            eq[b, default: []].insert(a)
        }
        equivalents = eq
        var closure: [String: Set<String>] = [:]
        for outer in data.classes {
            var seen: Set<String> = []
            var stack = data.contains[outer] ?? []
            while let next = stack.popLast() {
                guard next != outer, seen.insert(next).inserted else { continue }
                stack.append(contentsOf: data.contains[next] ?? [])
            }
            for inner in seen { seen.formUnion(eq[inner] ?? []) }
            seen.subtract([outer])
            if !seen.isEmpty { closure[outer] = seen }
        }
        containment = closure
        nonstandard = data.nonstandard
        coils = data.coils
        matcher = PhraseMatcher(data: data, equivalents: eq)
    }

    /// All defined terms, sorted by name.
    public var allTerms: [BodyPartTerm] { terms.values.sorted { $0.definedTerm < $1.definedTerm } }

    /// The defined term named `definedTerm` (exact upper-case name), including organ terms; nil if none.
    public func term(_ definedTerm: String) -> BodyPartTerm? {
        terms[definedTerm] ?? terms[definedTerm.uppercased()]
    }

    /// Maps an existing BodyPartExamined value to a class.
    ///
    /// Order: known non-standard value → exact defined term → synonym of a term → the value with
    /// spaces removed is a defined term (`WHOLE BODY`) → free-text match, accepted only when it is
    /// unambiguous (every class found is the first one, equivalent to it or contained in it).
    public func normalize(_ raw: String) -> Normalization {
        let trimmed = raw.trimmingCharacters(in: Self.padding)
        let folded = TextNormalizer.normalize(trimmed)
        guard !folded.isEmpty else { return Normalization(raw: raw, term: nil, matched: nil, kind: .unknown) }
        if let name = nonstandard[folded] { return result(raw, name, exact: name == trimmed) }
        if terms[trimmed] != nil { return result(raw, trimmed, exact: true) }
        if let name = matcher.phrases[folded] { return result(raw, name, exact: false) }
        let compact = folded.replacingOccurrences(of: " ", with: "")
        if terms[compact] != nil { return result(raw, compact, exact: false) }
        let hits = matcher.match(folded)
        if let first = hits.first,
           hits.dropFirst().allSatisfy({ $0.region == first.region || areEquivalent($0.region, first.region) || contains(first.region, $0.region) }) {
            return result(raw, first.term, exact: false)
        }
        return Normalization(raw: raw, term: nil, matched: nil, kind: .unknown)
    }

    private func result(_ raw: String, _ name: String, exact: Bool) -> Normalization {
        guard let t = terms[name], t.isLocalizing else {
            return Normalization(raw: raw, term: nil, matched: terms[name] == nil ? nil : name, kind: .unknown)
        }
        let kind: NormalizationKind = !t.isClass ? .organ : (exact ? .exact : .synonym)
        return Normalization(raw: raw, term: t.region, matched: name, kind: kind)
    }

    /// Whether two classes count as the same answer in evaluation: equal, or listed as equivalent
    /// (HEAD ~ BRAIN). A defined term that is not a class is first replaced by its region (LUNG ~ CHEST).
    public func areEquivalent(_ a: String, _ b: String) -> Bool {
        let ra = regionName(a), rb = regionName(b)
        return ra == rb || (equivalents[ra]?.contains(rb) ?? false)
    }

    /// Whether class `outer` strictly contains class `inner` (CHESTABDPELVIS contains CHEST;
    /// WHOLEBODY contains every anatomic class). False for equal classes and for non-classes.
    public func contains(_ outer: String, _ inner: String) -> Bool {
        containment[outer]?.contains(inner) ?? false
    }

    /// The classes whose synonyms occur as whole words in free text (descriptions, protocol
    /// names), most specific answer first: a composite the text spells out part by part comes
    /// before its parts ("CHEST 2.5 MM/ABD.PEL 2.5MM" → CHESTABDPELVIS, CHEST, ABDOMENPELVIS),
    /// then other classes in text order, vague ones (SPINE, EXTREMITY) last.
    public func ruleMatch(_ text: String) -> [String] {
        matcher.rank(matcher.match(TextNormalizer.normalize(text)))
    }

    private func regionName(_ name: String) -> String {
        if let t = terms[name], t.isLocalizing { return t.region }
        return name
    }

    /// DICOM pads CS values with spaces; some writers leave NULs.
    private static let padding = CharacterSet(charactersIn: " \u{0}\t\r\n")
}
