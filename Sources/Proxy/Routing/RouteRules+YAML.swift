import Anatomy
import Audit
import Cleanup
import Foundation
import Yams

extension RouteTable {
    /// Reads `routes:` (a list of rules; a rule named `default` with only
    /// `destinations` is the default route and comes last). Unknown keys,
    /// unknown body parts and decisions are errors with the key and line;
    /// destinations are checked against the declared ones later (`validate`).
    static func parse(_ node: Node, file: String, taxonomy: Taxonomy?) throws(ProxyError) -> RouteTable {
        func at(_ node: Node) -> String { node.mark.map { "\(file):\($0.line)" } ?? file }
        guard let list = node.sequence else {
            throw .configuration("\(at(node)): routes must be a list of rules ({name, bodyPart, …, destinations})")
        }
        var table = RouteTable(rules: [], defaultDestinations: [])
        var names = Set<String>()
        var sawDefault = false
        for item in list {
            guard let map = item.mapping else { throw .configuration("\(at(item)): each route is a mapping with name and destinations") }
            guard let name = map["name"]?.string, !name.isEmpty else { throw .configuration("\(at(item)): routes: a rule needs a name") }
            guard !sawDefault else { throw .configuration("\(at(item)): routes.\(name): the default route must be the last") }
            guard names.insert(name).inserted else { throw .configuration("\(at(item)): routes.\(name): two rules have this name") }
            var rule = RouteRule(name: name)
            rule.line = item.mark?.line
            for (keyNode, value) in map {
                let key = keyNode.string ?? ""
                let path = "routes.\(name).\(key)"
                func fail(_ text: String) -> ProxyError { .configuration("\(at(keyNode)): \(path): \(text)") }
                switch key {
                case "name": continue
                case "bodyPart", "body_part":
                    rule.bodyParts = try strings(value, { fail("a defined term or a list of them") })
                    for term in rule.bodyParts where taxonomy != nil && taxonomy?.term(term) == nil {
                        throw fail("'\(term)' is not a defined term of Rules/body-parts.yaml")
                    }
                case "decision":
                    for text in try strings(value, { fail("a decision kind or a list of them") }) {
                        guard let kind = DecisionKind(rawValue: text.uppercased()) else {
                            throw fail("'\(text)' is not a decision (\(DecisionKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                        }
                        rule.decisions.append(kind)
                    }
                case "min_confidence":
                    guard let number = value.float, (0...1).contains(number) else { throw fail("a number from 0 to 1") }
                    rule.minConfidence = number
                case "attributes":
                    guard let conditions = value.mapping else { throw fail("a mapping of DICOM keyword → test") }
                    for (attribute, test) in conditions {
                        rule.attributes.append(try condition(attribute, test, rule: name, at: at))
                    }
                case "destinations":
                    rule.destinations = try strings(value, { fail("a destination name or a list of them") })
                case "stop":
                    guard let flag = value.bool else { throw fail("true or false") }
                    rule.stop = flag
                case "priors":
                    rule.priors = try priors(value, path: path, at: at)
                default:
                    throw fail("unknown key (name, bodyPart, decision, min_confidence, attributes, destinations, stop, priors)")
                }
            }
            if name == RouteTable.defaultName {
                guard rule.bodyParts.isEmpty, rule.decisions.isEmpty, rule.minConfidence == nil, rule.attributes.isEmpty,
                      rule.priors == nil
                else { throw .configuration("\(at(item)): routes.default takes only destinations (it is what no rule took)") }
                sawDefault = true
                table.defaultDestinations = rule.destinations
                table.defaultLine = rule.line
            } else {
                guard !rule.destinations.isEmpty else { throw .configuration("\(at(item)): routes.\(name): no destinations") }
                table.rules.append(rule)
            }
        }
        return table
    }

    private static func strings(_ node: Node, _ failure: () -> ProxyError) throws(ProxyError) -> [String] {
        if let text = node.string { return [text] }
        guard let list = node.sequence else { throw failure() }
        var out: [String] = []
        for item in list {
            guard let text = item.string, !text.isEmpty else { throw failure() }
            out.append(text)
        }
        return out
    }

    private static func condition(_ keyNode: Node, _ node: Node, rule: String, at: (Node) -> String) throws(ProxyError) -> AttributeCondition {
        let keyword = keyNode.string ?? ""
        func fail(_ text: String) -> ProxyError { .configuration("\(at(keyNode)): routes.\(rule).attributes.\(keyword): \(text)") }
        guard !keyword.isEmpty, keyword.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), keyword.first!.isUppercase else {
            throw fail("a DICOM keyword (StationName, InstitutionName…)")
        }
        let usage = "a value (equals), a list (one_of), or one of {equals: V}, {one_of: [V…]}, {regex: R}, {present: true}, {absent: true}"
        if let text = node.string { return AttributeCondition(keyword: keyword, test: .equals(text)) }
        if node.sequence != nil { return AttributeCondition(keyword: keyword, test: .oneOf(try strings(node, { fail(usage) }))) }
        guard let map = node.mapping, map.count == 1, let (testKey, value) = map.first, let test = testKey.string else { throw fail(usage) }
        switch test {
        case "equals":
            guard let text = value.string else { throw fail(usage) }
            return AttributeCondition(keyword: keyword, test: .equals(text))
        case "one_of": return AttributeCondition(keyword: keyword, test: .oneOf(try strings(value, { fail(usage) })))
        case "regex":
            guard let pattern = value.string else { throw fail(usage) }
            do { _ = try NSRegularExpression(pattern: pattern) } catch { throw fail("/\(pattern)/ is not a regular expression") }
            return AttributeCondition(keyword: keyword, test: .regex(pattern))
        case "present", "absent":
            guard let flag = value.bool else { throw fail(usage) }
            return AttributeCondition(keyword: keyword, test: (test == "present") == flag ? .present : .absent)
        default: throw .configuration("\(at(testKey)): routes.\(rule).attributes.\(keyword): unknown test '\(test)' (\(usage))")
        }
    }

    private static func priors(_ node: Node, path: String, at: (Node) -> String) throws(ProxyError) -> PriorSettings? {
        guard let map = node.mapping else { throw .configuration("\(at(node)): \(path): a mapping {archive, max_studies, max_age, max_attempts, modalities}") }
        var settings = PriorSettings(archive: "")
        var enabled = true
        for (keyNode, value) in map {
            let key = keyNode.string ?? ""
            func fail(_ text: String) -> ProxyError { .configuration("\(at(keyNode)): \(path).\(key): \(text)") }
            switch key {
            case "enabled":
                guard let flag = value.bool else { throw fail("true or false") }
                enabled = flag
            case "archive":
                guard let text = value.string, !text.isEmpty else { throw fail("the name of an entry of archives:") }
                settings.archive = text
            case "max_studies":
                guard let number = value.int, number > 0 else { throw fail("a whole number ≥ 1") }
                settings.maxStudies = number
            case "max_attempts":
                guard let number = value.int, number > 0 else { throw fail("a whole number ≥ 1") }
                settings.maxAttempts = number
            case "max_age":
                guard let text = value.string, let seconds = PriorSettings.age(text) else { throw fail("an age such as 5y, 18m, 6w, 30d") }
                settings.maxAge = seconds
            case "modalities":
                settings.modalities = try strings(value, { fail("a modality or a list of them") })
            default: throw fail("unknown key (enabled, archive, max_studies, max_age, max_attempts, modalities)")
            }
        }
        guard enabled else { return nil }
        guard !settings.archive.isEmpty else { throw .configuration("\(at(node)): \(path).archive: required when priors are on") }
        return settings
    }
}
