import Foundation
import Yams

/// Maps a predicted body part, modality and view to the hanging category
/// string a viewer's hanging protocol matches on (`Rules/hanging.yaml`).
public struct HangingRules: Sendable, Hashable {
    /// One rule; nil fields match anything.
    public struct Rule: Sendable, Hashable {
        public var modality: String?
        public var bodyPart: String?
        public var view: String?
        public var category: String
    }

    public var rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    /// Loads `hanging.yaml`; errors name the file and the rule.
    public static func load(from url: URL) throws(PolicyError) -> HangingRules {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PolicyError(description: "\(url.path): cannot read hanging rules (\(error.localizedDescription))")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw PolicyError(description: "\(url.path): not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let list = root?.mapping?["rules"]?.sequence else {
            throw PolicyError(description: "\(url.path): expected a 'rules:' list")
        }
        var rules: [Rule] = []
        for node in list {
            let line = node.mark?.line ?? 0
            guard let map = node.mapping else { throw PolicyError(description: "\(url.path):\(line): a rule must be a mapping") }
            var fields: [String: String] = [:]
            for (key, value) in map {
                guard let name = key.string, ["modality", "bodyPart", "view", "category"].contains(name), let text = value.string
                else {
                    throw PolicyError(description: "\(url.path):\(line): rule key '\(key.string ?? "?")' is not one of modality, bodyPart, view, category")
                }
                fields[name] = text
            }
            guard let category = fields["category"], !category.isEmpty else {
                throw PolicyError(description: "\(url.path):\(line): rule without a category")
            }
            rules.append(Rule(modality: fields["modality"], bodyPart: fields["bodyPart"], view: fields["view"], category: category))
        }
        return HangingRules(rules: rules)
    }

    /// The category for a series (LO: at most 64 characters).
    public func category(modality: String?, bodyPart: String, view: String?) -> String {
        let m = modality ?? "OT"
        let v = view ?? ""
        let rule = rules.first { rule in
            (rule.modality == nil || rule.modality == m) && (rule.bodyPart == nil || rule.bodyPart == bodyPart)
                && (rule.view == nil || rule.view == v)
        }
        let template = rule?.category ?? "{modality} {bodyPart}"
        let filled = template.replacingOccurrences(of: "{modality}", with: m)
            .replacingOccurrences(of: "{bodyPart}", with: bodyPart)
            .replacingOccurrences(of: "{view}", with: v)
        return String(filled.split(separator: " ").joined(separator: " ").prefix(64))
    }
}
