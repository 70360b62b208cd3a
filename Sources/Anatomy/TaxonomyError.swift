import Foundation

/// Why the taxonomy could not be located or loaded. Each case carries enough to fix the file.
public enum TaxonomyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The YAML could not be read or parsed, or a value is missing or of the wrong kind.
    /// `line` is 1-based (0 when unknown); `key` is the path of the offending entry, e.g. `terms.HEAD.code`.
    case invalid(file: String, line: Int, key: String, message: String)
    /// No rules directory was found; `tried` lists every place looked at, in order.
    case rulesNotFound(tried: [String])

    /// One line for the command line to print.
    public var description: String {
        switch self {
        case let .invalid(file, line, key, message):
            let at = line > 0 ? "\(file):\(line)" : file
            return "\(at): \(key.isEmpty ? "" : "\(key): ")\(message)"
        case let .rulesNotFound(tried):
            return "Rules directory with body-parts.yaml not found (tried: \(tried.joined(separator: ", "))); "
                + "set BODYPART_RULES to the folder that holds body-parts.yaml"
        }
    }
}
