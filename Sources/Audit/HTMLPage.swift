/// A string builder for HTML with escaping, so report code never concatenates
/// unescaped database text into markup. Shared by `audit report --html`
/// and the proxy's web console.
public struct HTMLPage: Sendable {
    /// The markup so far.
    public private(set) var text = ""

    /// An empty page.
    public init() {}

    /// Appends markup as is (only literals and escaped values).
    public mutating func raw(_ markup: String) { text += markup }

    /// Appends escaped text.
    public mutating func text(_ value: String) { text += HTMLPage.escape(value) }

    /// Appends `<name class=...>escaped text</name>`.
    public mutating func element(_ name: String, _ value: String, className: String? = nil) {
        text += className.map { "<\(name) class=\"\($0)\">" } ?? "<\(name)>"
        text += HTMLPage.escape(value)
        text += "</\(name)>"
    }

    /// Appends a count cell: `<td id="ID" data-count="N">N</td>`.
    public mutating func countCell(id: String, count: Int) {
        text += "<td id=\"\(HTMLPage.escape(id))\" data-count=\"\(count)\">\(count)</td>"
    }

    /// Text with `& < > " '` escaped for element content and attribute values.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A value made safe for an `id` or fragment: letters, digits, `.`, `-`, `_`; others become `_`.
    public static func anchor(_ value: String) -> String {
        String(value.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") ? $0 : "_" })
    }
}
