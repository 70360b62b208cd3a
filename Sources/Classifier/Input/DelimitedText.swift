import Foundation

/// Reads tab- or comma-separated text with a header row (RFC 4180 quoting for CSV).
public struct DelimitedText: Sendable {
    /// Column names from the header row.
    public let header: [String]
    /// Data rows, each as many fields as the header (short rows are padded with "").
    public let rows: [[String]]

    /// Parses `text` with the given separator.
    public init(text: String, separator: Character) {
        var records: [[String]] = []
        var field = ""
        var record: [String] = []
        var inQuotes = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else { field.append(ch) }
            } else if ch == "\"" && separator == "," && field.isEmpty {
                inQuotes = true
            } else if ch == separator {
                record.append(field); field = ""
            } else if ch == "\n" || ch == "\r\n" {
                record.append(field); field = ""
                records.append(record); record = []
            } else if ch != "\r" {
                field.append(ch)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        header = records.first ?? []
        let width = header.count
        rows = records.dropFirst().filter { !($0.count == 1 && $0[0].isEmpty) }.map {
            $0.count >= width ? $0 : $0 + Array(repeating: "", count: width - $0.count)
        }
    }

    /// Reads and parses a file; the separator is a tab for `.tsv` files, else a comma.
    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        self.init(text: text, separator: url.pathExtension.lowercased() == "tsv" ? "\t" : ",")
    }

    /// Index of a column, or nil.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}
