import Foundation
import Yams

/// The parsed, validated content of `body-parts.yaml`, before lookup tables are built.
struct TaxonomyData: Sendable {
    var classes: [String] = []
    var terms: [String: BodyPartTerm] = [:]
    var equivalent: [(String, String)] = []
    var contains: [String: [String]] = [:]
    var composites: [(String, [String])] = []
    var generic: [String] = []
    /// Normalized phrase → defined term (explicit synonyms only).
    var synonyms: [String: String] = [:]
    /// Normalized raw value → defined term.
    var nonstandard: [String: String] = [:]
    /// Normalized phrases never matched in free text.
    var freetextIgnore: Set<String> = []
    /// Dedicated MR receive coils.
    var coils = CoilVocabulary.none
}

/// Reads `body-parts.yaml` with Yams' node API so that every error names its line and key.
struct TaxonomyLoader {
    let file: String

    /// Parses and validates the YAML text.
    func parse(_ text: String) throws -> TaxonomyData {
        let root: Node
        do {
            // Every value is read as its text (`scalar.string`), so scalars
            // need no type resolution: the basic resolver skips the regular
            // expressions Yams' default one runs on each of the file's
            // ~24,000 scalars (most of the taxonomy's load time).
            guard let node = try Yams.compose(yaml: text, .basic) else { throw fail(nil, "", "file is empty") }
            root = node
        } catch let error as TaxonomyError {
            throw error
        } catch let error as YamlError {
            throw TaxonomyError.invalid(file: file, line: Self.line(of: error), key: "", message: "YAML syntax: \(error)")
        }
        let top = try mapping(root, "")
        var data = TaxonomyData()

        let classesNode = try required(top, "classes", "")
        for item in try sequence(classesNode, "classes") {
            let name = try string(item, "classes")
            guard !data.classes.contains(name) else { throw fail(item, "classes", "duplicate class \(name)") }
            data.classes.append(name)
        }
        let classSet = Set(data.classes)

        for (keyNode, value) in try mapping(try required(top, "terms", ""), "terms") {
            let name = try string(keyNode, "terms")
            let path = "terms.\(name)"
            guard data.terms[name] == nil else { throw fail(keyNode, path, "duplicate term") }
            let fields = Dictionary(try mapping(value, path).map { (($0.0.string ?? ""), $0.1) }, uniquingKeysWith: { a, _ in a })
            func field(_ key: String) throws -> Node {
                guard let node = fields[key] else { throw fail(value, "\(path).\(key)", "missing") }
                return node
            }
            let code = try string(try field("code"), "\(path).code")
            guard !code.isEmpty, code.allSatisfy(\.isNumber) else { throw fail(try field("code"), "\(path).code", "not a SNOMED CT id: \(code)") }
            let regionNode = try field("region")
            let region = Self.isNull(regionNode) ? "" : try string(regionNode, "\(path).region")
            guard region.isEmpty || classSet.contains(region) else {
                throw fail(regionNode, "\(path).region", "\(region) is not a class")
            }
            let source = try string(try field("source"), "\(path).source")
            guard ["L-1", "extended", "project"].contains(source) else {
                throw fail(try field("source"), "\(path).source", "must be L-1, extended or project")
            }
            data.terms[name] = BodyPartTerm(definedTerm: name, snomedCode: code,
                                            codeMeaning: try string(try field("meaning"), "\(path).meaning"),
                                            region: region, source: source)
        }
        for name in data.classes where data.terms[name]?.region != name {
            throw fail(classesNode, "classes", "class \(name) needs a term whose region is itself")
        }

        if let eq = top.first(where: { $0.0.string == "equivalences" })?.1 {
            try parseEquivalences(eq, classSet, &data)
        }
        if let syn = top.first(where: { $0.0.string == "synonyms" })?.1 {
            for (keyNode, list) in try mapping(syn, "synonyms") {
                let name = try string(keyNode, "synonyms")
                guard data.terms[name] != nil else { throw fail(keyNode, "synonyms.\(name)", "not a defined term") }
                for item in try sequence(list, "synonyms.\(name)") {
                    let phrase = TextNormalizer.normalize(try string(item, "synonyms.\(name)"))
                    guard !phrase.isEmpty else { throw fail(item, "synonyms.\(name)", "synonym has no letters") }
                    if let other = data.synonyms[phrase], other != name {
                        throw fail(item, "synonyms.\(name)", "\"\(phrase)\" is already a synonym of \(other)")
                    }
                    data.synonyms[phrase] = name
                }
            }
        }
        if let ns = top.first(where: { $0.0.string == "nonstandard" })?.1 {
            for (keyNode, value) in try mapping(ns, "nonstandard") {
                let raw = try string(keyNode, "nonstandard")
                let target = try string(value, "nonstandard.\(raw)")
                guard data.terms[target] != nil else { throw fail(value, "nonstandard.\(raw)", "\(target) is not a defined term") }
                data.nonstandard[TextNormalizer.normalize(raw)] = target
            }
        }
        if let ig = top.first(where: { $0.0.string == "freetext_ignore" })?.1 {
            for item in try sequence(ig, "freetext_ignore") {
                data.freetextIgnore.insert(TextNormalizer.normalize(try string(item, "freetext_ignore")))
            }
        }
        if let c = top.first(where: { $0.0.string == "coils" })?.1 {
            data.coils = try parseCoils(c, Set(data.classes))
        }
        return data
    }

    /// `coils: {confidence: 0.97, mixed: [NECK, ...], regions: {HEAD: [HEAD, BRAIN], ...}}`.
    private func parseCoils(_ node: Node, _ classSet: Set<String>) throws -> CoilVocabulary {
        var words: [(word: String, region: String)] = []
        var mixed: [String] = []
        var confidence = 0.0
        for (keyNode, value) in try mapping(node, "coils") {
            switch try string(keyNode, "coils") {
            case "confidence":
                guard let c = Double(try string(value, "coils.confidence")), c > 0, c <= 1 else {
                    throw fail(value, "coils.confidence", "expected a number in (0, 1]")
                }
                confidence = c
            case "mixed":
                mixed = try sequence(value, "coils.mixed").map { try string($0, "coils.mixed") }
            case "regions":
                for (clsNode, list) in try mapping(value, "coils.regions") {
                    let cls = try string(clsNode, "coils.regions")
                    guard classSet.contains(cls) else { throw fail(clsNode, "coils.regions", "\(cls) is not a class") }
                    for w in try sequence(list, "coils.regions.\(cls)") { words.append((try string(w, "coils.regions.\(cls)"), cls)) }
                }
            case let other:
                throw fail(keyNode, "coils", "unknown key \(other) (confidence, mixed, regions)")
            }
        }
        guard words.isEmpty || confidence > 0 else { throw fail(node, "coils.confidence", "required with regions") }
        return CoilVocabulary(words: words, mixed: mixed, confidence: confidence)
    }

    private func parseEquivalences(_ node: Node, _ classSet: Set<String>, _ data: inout TaxonomyData) throws {
        func className(_ n: Node, _ path: String) throws -> String {
            let name = try string(n, path)
            guard classSet.contains(name) else { throw fail(n, path, "\(name) is not a class") }
            return name
        }
        for (keyNode, value) in try mapping(node, "equivalences") {
            let key = keyNode.string ?? ""
            let path = "equivalences.\(key)"
            switch key {
            case "equivalent":
                for pair in try sequence(value, path) {
                    let items = try sequence(pair, path)
                    guard items.count == 2 else { throw fail(pair, path, "each entry is a pair [A, B]") }
                    data.equivalent.append((try className(items[0], path), try className(items[1], path)))
                }
            case "contains", "composites":
                for (outerNode, list) in try mapping(value, path) {
                    let outer = try className(outerNode, path)
                    let inner = try sequence(list, "\(path).\(outer)").map { try className($0, "\(path).\(outer)") }
                    if key == "contains" { data.contains[outer] = inner } else { data.composites.append((outer, inner)) }
                }
            case "generic":
                data.generic = try sequence(value, path).map { try className($0, path) }
            default:
                throw fail(keyNode, path, "unknown key (expected equivalent, contains, composites, generic)")
            }
        }
    }

    // MARK: - Node helpers

    private func fail(_ node: Node?, _ key: String, _ message: String) -> TaxonomyError {
        .invalid(file: file, line: node?.mark?.line ?? 0, key: key, message: message)
    }

    private func mapping(_ node: Node, _ key: String) throws -> [(Node, Node)] {
        guard let m = node.mapping else { throw fail(node, key, "expected a mapping") }
        return m.map { ($0.key, $0.value) }
    }

    private func sequence(_ node: Node, _ key: String) throws -> [Node] {
        guard let s = node.sequence else { throw fail(node, key, "expected a list") }
        return Array(s)
    }

    private func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw fail(node, key, "expected a string") }
        return scalar.string
    }

    private func required(_ top: [(Node, Node)], _ name: String, _ parent: String) throws -> Node {
        guard let node = top.first(where: { $0.0.string == name })?.1 else {
            throw TaxonomyError.invalid(file: file, line: 0, key: name, message: "missing top-level key")
        }
        return node
    }

    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s) = node, s.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return 0
        }
    }
}
