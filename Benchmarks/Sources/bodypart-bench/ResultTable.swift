/// Prints case results as a Markdown table with each case's ratio to the
/// bodypart case (bodypart files/s ÷ case files/s: above 1, bodypart is faster).
enum ResultTable {
    static func render(_ results: [CaseResult], reference: String) -> String {
        let base = results.first { $0.name == reference }?.filesPerSecond
        var lines = [
            "| case | files | seconds | files/s | ratio vs bodypart | CPU s | files/CPU-s | peak RSS MiB | runs (s) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for result in results {
            guard let median = result.median, let rate = result.filesPerSecond else {
                lines.append("| \(result.name) | – | – | – | – | – | – | – | skipped: \(result.skipped ?? "no run") |")
                continue
            }
            let ratio = base.map { Format.fixed($0 / rate, 2) + "×" } ?? "–"
            let rss = median.peakRSSKiB > 0 ? Format.fixed(Double(median.peakRSSKiB) / 1024, 1) : "–"
            let runs = result.samples.map { Format.fixed($0.seconds, 3) }.joined(separator: ", ")
            lines.append(
                "| \(result.name) | \(median.files) | \(Format.fixed(median.seconds, 3)) | "
                    + "\(Format.fixed(rate, 0)) | \(ratio) | \(Format.fixed(median.cpuSeconds, 3)) | "
                    + "\(Format.fixed(Double(median.files) / median.cpuSeconds, 0)) | \(rss) | \(runs) |")
        }
        lines.append("")
        for result in results where !result.note.isEmpty {
            lines.append("- \(result.name): \(result.note)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Number formatting without Foundation.
enum Format {
    /// `value` with `digits` decimals (half away from zero).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        let text = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
