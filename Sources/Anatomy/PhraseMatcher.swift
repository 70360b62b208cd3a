import Foundation

/// Finds body-part phrases in normalized free text and ranks the classes they name.
struct PhraseMatcher: Sendable {
    /// One phrase found in the text.
    struct Hit: Sendable, Hashable {
        /// The defined term the phrase belongs to.
        let term: String
        /// That term's class.
        let region: String
        /// Index of the first token of the phrase.
        let position: Int
    }

    /// Normalized phrase → defined term: explicit synonyms, plus each term's own name unless claimed.
    let phrases: [String: String]
    /// Normalized phrases that are skipped in free text.
    let ignored: Set<String>
    /// Longest phrase, in tokens.
    let maxTokens: Int
    /// Every phrase and ignored phrase and each of their leading token runs ("LOWER",
    /// "LOWER EXTREMITY" for "LOWER EXTREMITY VEINS"): a scan stops lengthening its key as soon
    /// as no phrase starts that way, so most words cost one lookup.
    let prefixes: Set<String>
    /// Defined term → class.
    let regionOf: [String: String]
    /// Composite class → its parts, in YAML order.
    let composites: [(name: String, parts: Set<String>)]
    /// Every part named by some composite.
    let compositeParts: Set<String>
    /// Vague classes, listed last.
    let generic: Set<String>
    /// Class → equivalent classes.
    let equivalents: [String: Set<String>]
    /// Class → position in the class list (tie-breaker).
    let classOrder: [String: Int]

    init(data: TaxonomyData, equivalents: [String: Set<String>]) {
        var map = data.synonyms
        for name in data.terms.keys {
            let key = TextNormalizer.normalize(name)
            if map[key] == nil { map[key] = name }
        }
        phrases = map
        ignored = data.freetextIgnore
        let allKeys = Array(map.keys) + Array(data.freetextIgnore)
        maxTokens = allKeys.map { $0.split(separator: " ").count }.max() ?? 1
        var prefixes = Set<String>()
        for key in allKeys {
            let words = key.split(separator: " ")
            for n in 1...max(1, words.count) { prefixes.insert(words.prefix(n).joined(separator: " ")) }
        }
        self.prefixes = prefixes
        regionOf = data.terms.mapValues(\.region)
        composites = data.composites.map { (name: $0.0, parts: Set($0.1)) }
        compositeParts = Set(data.composites.flatMap(\.1))
        generic = Set(data.generic)
        self.equivalents = equivalents
        classOrder = Dictionary(uniqueKeysWithValues: data.classes.enumerated().map { ($1, $0) })
    }

    /// Scans folded text left to right, taking the longest phrase at each word; an ignored phrase
    /// wins over a body-part phrase of the same length. Terms without a region are dropped.
    func match(_ folded: String) -> [Hit] {
        let tokens = folded.split(separator: " ").map(String.init)
        var hits: [Hit] = []
        var i = 0
        while i < tokens.count {
            // The longest phrase starting here; at equal length an ignored one wins.
            var key = ""
            var best: (length: Int, term: String?) = (0, nil)
            for j in i..<min(tokens.count, i + maxTokens) {
                key = key.isEmpty ? tokens[j] : key + " " + tokens[j]
                guard prefixes.contains(key) else { break }
                if ignored.contains(key) {
                    best = (j - i + 1, nil)
                } else if let term = phrases[key] {
                    best = (j - i + 1, term)
                }
            }
            guard best.length > 0 else { i += 1; continue }
            if let term = best.term, let region = regionOf[term], !region.isEmpty {
                hits.append(Hit(term: term, region: region, position: i))
            }
            i += best.length
        }
        return hits
    }

    /// Orders the classes found: composites (named or inferred from their parts) first, largest
    /// first; then the other classes in text order; generic classes last.
    func rank(_ hits: [Hit]) -> [String] {
        var firstPosition: [String: Int] = [:]
        for hit in hits where firstPosition[hit.region] == nil { firstPosition[hit.region] = hit.position }
        guard !firstPosition.isEmpty else { return [] }

        // Parts named in the text: a named composite contributes its parts; BRAIN counts as HEAD.
        var parts: Set<String> = []
        for region in firstPosition.keys {
            if let composite = composites.first(where: { $0.name == region }) {
                parts.formUnion(composite.parts)
            } else if compositeParts.contains(region) {
                parts.insert(region)
            } else if let eq = equivalents[region]?.first(where: { compositeParts.contains($0) }) {
                parts.insert(eq)
            }
        }
        if parts.count >= 2 {
            let inferred = composites
                .filter { parts.isSubset(of: $0.parts) && $0.parts.count - parts.count <= 1 }
                .min { ($0.parts.count, classOrder[$0.name] ?? 0) < ($1.parts.count, classOrder[$1.name] ?? 0) }
            if let inferred, firstPosition[inferred.name] == nil {
                firstPosition[inferred.name] = (firstPosition.values.min() ?? 0)
            }
        }

        func size(_ name: String) -> Int { composites.first { $0.name == name }?.parts.count ?? 0 }
        func group(_ name: String) -> Int { size(name) > 0 ? 0 : (generic.contains(name) ? 2 : 1) }
        return firstPosition.keys.sorted { a, b in
            let ka = (group(a), -size(a), firstPosition[a]!, classOrder[a] ?? 0)
            let kb = (group(b), -size(b), firstPosition[b]!, classOrder[b] ?? 0)
            return ka < kb
        }
    }
}
