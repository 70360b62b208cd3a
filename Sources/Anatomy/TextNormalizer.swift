import Foundation

/// Folds header text into the form every body-part lookup uses.
///
/// Upper case; accents and diacritics removed from Latin letters (`Schädel` → `SCHADEL`,
/// `ß` → `SS`, `Œ` → `OE`); Cyrillic and Greek kept but upper-cased; every character that is
/// not a letter or a digit is a separator; runs of separators become one space; a digit
/// followed by a letter is split (`5MM` → `5 MM`, `T2FLAIR` stays). Works on Unicode scalars
/// with a precomputed table, no regular expressions: it runs on every header the filter sees.
public enum TextNormalizer {
    /// Returns the folded form of `s` (see the type's description). Empty when `s` has no letter or digit.
    public static func normalize(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(s.unicodeScalars.count)
        var pendingSpace = false
        var lastWasDigit = false
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                // ASCII fast path.
                var c = v
                if c >= 0x61 && c <= 0x7A { c -= 0x20 }
                let isDigit = c >= 0x30 && c <= 0x39
                let isLetter = c >= 0x41 && c <= 0x5A
                if !(isDigit || isLetter) {
                    pendingSpace = !out.isEmpty
                    lastWasDigit = false
                    continue
                }
                if isLetter && lastWasDigit { pendingSpace = true }
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(Unicode.Scalar(c)!)
                lastWasDigit = isDigit
                continue
            }
            switch Folding.fold(scalar) {
            case .drop:
                continue
            case .separator:
                pendingSpace = !out.isEmpty
                lastWasDigit = false
            case .text(let folded, let isDigit):
                if !isDigit && lastWasDigit { pendingSpace = true }
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(contentsOf: folded.unicodeScalars)
                lastWasDigit = isDigit
            }
        }
        return String(out)
    }
}

/// Per-scalar folding rules for non-ASCII input, with a table for the Latin ranges.
enum Folding {
    /// What one scalar becomes.
    enum Result: Sendable {
        /// A combining mark: removed.
        case drop
        /// Not a letter or digit: a word boundary.
        case separator
        /// Letters or a digit to append.
        case text(String, isDigit: Bool)
    }

    /// Latin-1 Supplement, Latin Extended-A/B (U+0080–U+024F): folded upper-case ASCII, or "" for separators.
    private static let latinTable: [String] = (0x80...0x24F).map { foldSlow(UInt32($0)) }
    /// Latin Extended Additional (U+1E00–U+1EFF, Vietnamese).
    private static let latinAdditionalTable: [String] = (0x1E00...0x1EFF).map { foldSlow(UInt32($0)) }

    /// Letters whose decomposition has no ASCII base.
    private static let special: [UInt32: String] = [
        0xDF: "SS", 0x1E9E: "SS", 0xC6: "AE", 0xE6: "AE", 0x152: "OE", 0x153: "OE", 0xD8: "O", 0xF8: "O",
        0x110: "D", 0x111: "D", 0x141: "L", 0x142: "L", 0xDE: "TH", 0xFE: "TH", 0xD0: "D", 0xF0: "D",
        0x131: "I", 0x126: "H", 0x127: "H", 0x166: "T", 0x167: "T", 0x132: "IJ", 0x133: "IJ",
    ]

    /// Folds one non-ASCII scalar.
    static func fold(_ scalar: Unicode.Scalar) -> Result {
        let v = scalar.value
        if v >= 0x80 && v <= 0x24F {
            let s = latinTable[Int(v - 0x80)]
            return s.isEmpty ? .separator : .text(s, isDigit: false)
        }
        if v >= 0x1E00 && v <= 0x1EFF {
            let s = latinAdditionalTable[Int(v - 0x1E00)]
            return s.isEmpty ? .separator : .text(s, isDigit: false)
        }
        let props = scalar.properties
        switch props.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return .drop
        case .decimalNumber:
            if let n = props.numericValue, n >= 0, n <= 9 {
                return .text(String(Int(n)), isDigit: true)
            }
            return .separator
        default:
            break
        }
        if props.isAlphabetic {
            return .text(props.uppercaseMapping, isDigit: false)
        }
        return .separator
    }

    /// Builds a table entry: decompose, keep ASCII letters of the base, upper-case.
    private static func foldSlow(_ v: UInt32) -> String {
        if let s = special[v] { return s }
        guard let scalar = Unicode.Scalar(v), scalar.properties.isAlphabetic else { return "" }
        let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping
        var out = ""
        for u in decomposed.unicodeScalars where u.value < 0x80 {
            let c = Character(u)
            if c.isLetter { out.append(Character(c.uppercased())) }
        }
        if out.isEmpty { out = scalar.properties.uppercaseMapping }
        return out
    }
}
