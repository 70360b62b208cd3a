import Foundation
import Audit
import Yams

/// A policy file that cannot be used: one line with the file, line and key.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Reads `policy.yaml`, checking every key and value, so that a typo stops
/// the run with the key and line instead of silently using a default.
public enum PolicyLoader {
    /// Loads the policy file at `url`.
    public static func load(from url: URL) throws(PolicyError) -> Policy {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PolicyError(description: "\(url.path): cannot read the policy file (\(error.localizedDescription))")
        }
        return try parse(text, name: url.path)
    }

    /// Parses policy text; `name` is used in error messages.
    public static func parse(_ text: String, name: String) throws(PolicyError) -> Policy {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PolicyError(description: "\(name): the policy file is empty") }
            root = node
        } catch let error as PolicyError { throw error } catch {
            throw PolicyError(description: "\(name): not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        let reader = Reader(name: name)
        var policy = Policy()
        policy.hash = SHA256.hex(text)
        let top = try reader.mapping(root, key: "policy")
        for (key, node, keyNode) in top {
            switch key {
            case "version":
                guard try reader.int(node, key: key) == 1 else { throw reader.fail(node, key, "only version 1 is known") }
            case "mode":
                policy.mode = try reader.choice(node, key: key, Policy.Mode.self)
            case "thresholds":
                for (sub, value, subKey) in try reader.mapping(node, key: key) {
                    let path = "thresholds.\(sub)"
                    if sub == "fill", value.scalar?.string == "model" {
                        policy.fillThreshold = nil
                        continue
                    }
                    let number = try reader.fraction(value, key: path)
                    switch sub {
                    case "fill": policy.fillThreshold = number
                    case "correct": policy.correctThreshold = number
                    case "flag": policy.flagThreshold = number
                    default: throw reader.fail(subKey, path, "unknown key (known: fill, correct, flag)")
                    }
                }
            case "contradicted":
                policy.contradicted = try reader.choice(node, key: key, Policy.Contradicted.self)
            case "normalize":
                policy.normalize = try reader.bool(node, key: key)
            case "change":
                let known = ["BodyPartExamined", "AnatomicRegionSequence", "StudyDescription", "SeriesDescription"]
                for (sub, value, subKey) in try reader.mapping(node, key: key) {
                    guard known.contains(sub) else {
                        throw reader.fail(subKey, "change.\(sub)", "unknown attribute (known: \(known.joined(separator: ", ")))")
                    }
                    if try reader.bool(value, key: "change.\(sub)") { policy.changeable.insert(sub) } else {
                        policy.changeable.remove(sub)
                    }
                }
            case "descriptions":
                for (sub, value, subKey) in try reader.mapping(node, key: key) {
                    let path = "descriptions.\(sub)"
                    switch sub {
                    case "fillEmpty": policy.fillEmptyDescriptions = try reader.bool(value, key: path)
                    case "study": policy.studyDescriptionSources = try reader.sources(value, key: path)
                    case "series": policy.seriesDescriptionSources = try reader.sources(value, key: path)
                    default: throw reader.fail(subKey, path, "unknown key (known: fillEmpty, study, series)")
                    }
                }
            case "modalities":
                for (sub, value, subKey) in try reader.mapping(node, key: key) {
                    let list = Set(try reader.strings(value, key: "modalities.\(sub)").map { $0.uppercased() })
                    switch sub {
                    case "allow": policy.allowModalities = list
                    case "deny": policy.denyModalities = list
                    default: throw reader.fail(subKey, "modalities.\(sub)", "unknown key (known: allow, deny)")
                    }
                }
            case "privateTags":
                policy.privateTags = try reader.bool(node, key: key)
            case "modifyingSystem":
                let value = try reader.string(node, key: key)
                guard !value.isEmpty, value.count <= 64 else { throw reader.fail(node, key, "must be 1 to 64 characters (LO)") }
                policy.modifyingSystem = value
            case "pixelCheck":
                let value = try reader.string(node, key: key)
                guard let mode = Policy.PixelCheckMode(value) else {
                    throw reader.fail(node, key, "'\(value)' is not one of never, lowConfidence, sample:N% (0 to 100), always")
                }
                policy.pixelCheck = mode
            case "quietHours":
                let value = try reader.string(node, key: key)
                guard let hours = Policy.QuietHours(value) else {
                    throw reader.fail(node, key, "'\(value)' is not a window HH:MM-HH:MM, e.g. \"22:00-06:00\"")
                }
                policy.quietHours = hours
            case "pixelModel":
                policy.pixelModel = try reader.pixelModel(node, key: key)
            default:
                throw reader.fail(keyNode, key, "unknown key")
            }
        }
        if let fill = policy.fillThreshold, fill > policy.correctThreshold {
            throw PolicyError(description: "\(name): thresholds.fill (\(fill)) must not exceed thresholds.correct (\(policy.correctThreshold))")
        }
        guard policy.flagThreshold <= policy.correctThreshold else {
            throw PolicyError(description: "\(name): thresholds.flag (\(policy.flagThreshold)) must not exceed thresholds.correct (\(policy.correctThreshold))")
        }
        return policy
    }

    /// Typed access to YAML nodes with errors that name the key and line.
    struct Reader {
        let name: String

        func fail(_ node: Node, _ key: String, _ message: String) -> PolicyError {
            PolicyError(description: "\(name):\(node.mark?.line ?? 0): \(key): \(message)")
        }

        /// The pairs of a mapping; each value node is paired with its key's
        /// node so that errors point at the key's line.
        func mapping(_ node: Node, key: String) throws(PolicyError) -> [(String, Node, Node)] {
            guard let mapping = node.mapping else { throw fail(node, key, "must be a mapping of keys to values") }
            var pairs: [(String, Node, Node)] = []
            for (k, v) in mapping {
                guard let name = k.string else { throw fail(k, key, "keys must be text") }
                pairs.append((name, v, k))
            }
            return pairs
        }

        func string(_ node: Node, key: String) throws(PolicyError) -> String {
            guard let scalar = node.scalar else { throw fail(node, key, "must be a single value") }
            return scalar.string
        }

        func int(_ node: Node, key: String) throws(PolicyError) -> Int {
            guard let value = Int(try string(node, key: key)) else { throw fail(node, key, "must be a whole number") }
            return value
        }

        func fraction(_ node: Node, key: String) throws(PolicyError) -> Double {
            guard let value = Double(try string(node, key: key)), (0...1).contains(value) else {
                throw fail(node, key, "must be a number from 0 to 1")
            }
            return value
        }

        func bool(_ node: Node, key: String) throws(PolicyError) -> Bool {
            switch try string(node, key: key).lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw fail(node, key, "must be true or false")
            }
        }

        func choice<T: RawRepresentable>(_ node: Node, key: String, _: T.Type) throws(PolicyError) -> T
        where T.RawValue == String {
            let value = try string(node, key: key)
            guard let choice = T(rawValue: value) else { throw fail(node, key, "'\(value)' is not a known value") }
            return choice
        }

        func strings(_ node: Node, key: String) throws(PolicyError) -> [String] {
            guard let sequence = node.sequence else { throw fail(node, key, "must be a list, e.g. [CT, MR]") }
            var result: [String] = []
            for item in sequence { result.append(try string(item, key: key)) }
            return result
        }

        /// `pixelModel: {command: /abs/path, timeoutSeconds: 30}`; `null` for none.
        func pixelModel(_ node: Node, key: String) throws(PolicyError) -> Policy.PixelModel? {
            if let scalar = node.scalar, ["", "null", "~"].contains(scalar.string) { return nil }
            var command: String?
            var timeout = 30.0
            for (sub, value, subKey) in try mapping(node, key: key) {
                let path = "\(key).\(sub)"
                switch sub {
                case "command":
                    let text = try string(value, key: path)
                    guard text.hasPrefix("/") else { throw fail(value, path, "must be an absolute path to an executable") }
                    command = text
                case "timeoutSeconds":
                    guard let seconds = Double(try string(value, key: path)), seconds > 0, seconds <= 3600 else {
                        throw fail(value, path, "must be a number of seconds from 0 to 3600")
                    }
                    timeout = seconds
                default: throw fail(subKey, path, "unknown key (known: command, timeoutSeconds)")
                }
            }
            guard let command else { throw fail(node, key, "needs command: /path/to/executable") }
            return Policy.PixelModel(command: command, timeoutSeconds: timeout)
        }

        func sources(_ node: Node, key: String) throws(PolicyError) -> [String] {
            let known = ["RequestedProcedureDescription", "PerformedProcedureStepDescription", "ProtocolName",
                         "StudyDescription", "SeriesDescription", "prediction"]
            let list = try strings(node, key: key)
            if let bad = list.first(where: { !known.contains($0) }) {
                throw fail(node, key, "'\(bad)' is not a description source (known: \(known.joined(separator: ", ")))")
            }
            return list
        }
    }
}
