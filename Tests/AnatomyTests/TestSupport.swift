import Foundation
@testable import Anatomy

/// Paths and shared fixtures for the Anatomy tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Rules/body-parts.yaml` in this checkout.
    static let rulesFile = packageRoot.appendingPathComponent("Rules/body-parts.yaml")

    /// The shared data folder beside the project (`../shared/data`).
    static let sharedData = packageRoot.appendingPathComponent("../shared/data").standardizedFileURL

    /// The taxonomy of this checkout, loaded once.
    static let taxonomy: Taxonomy = {
        do { return try Taxonomy.load(from: rulesFile) } catch { fatalError("cannot load \(rulesFile.path): \(error)") }
    }()

    /// Reads a CSV file (RFC 4180: quoted fields, doubled quotes, commas and newlines inside quotes).
    static func readCSV(_ url: URL) throws -> [[String: String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", chars.first == "\n" { chars.removeFirst() }
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().filter { $0.count > 1 }.map { values in
            Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0 < values.count ? values[$0] : "") })
        }
    }
}
