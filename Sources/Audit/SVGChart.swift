import Foundation

/// Small inline SVG charts (no script, no external resources) for the HTML report.
enum SVGChart {
    /// A horizontal bar chart: one labelled bar per (label, count).
    static func bars(_ items: [(String, Int)], label: String) -> String {
        let width = 420.0, labelWidth = 120.0, rowHeight = 20.0
        let maximum = Double(max(1, items.map(\.1).max() ?? 1))
        let height = rowHeight * Double(max(1, items.count)) + 4
        var svg = "<svg class=\"bars\" role=\"img\" aria-label=\"\(HTMLPage.escape(label))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        for (index, (name, count)) in items.enumerated() {
            let y = Double(index) * rowHeight + 2
            let length = (width - labelWidth - 50) * Double(count) / maximum
            svg += "<text x=\"\(Int(labelWidth - 6))\" y=\"\(format(y + 14))\" text-anchor=\"end\">\(HTMLPage.escape(name))</text>"
            svg += "<rect class=\"bar\" x=\"\(Int(labelWidth))\" y=\"\(format(y + 3))\" width=\"\(format(length))\" height=\"14\" "
                + "data-label=\"\(HTMLPage.escape(name))\" data-count=\"\(count)\"></rect>"
            svg += "<text x=\"\(format(labelWidth + length + 4))\" y=\"\(format(y + 14))\">\(count)</text>"
        }
        return svg + "</svg>"
    }

    /// A vertical histogram: one column per (bin label, count).
    static func histogram(_ bins: [(String, Int)], label: String) -> String {
        let width = 440.0, height = 180.0, bottom = 20.0, top = 16.0
        let maximum = Double(max(1, bins.map(\.1).max() ?? 1))
        let column = width / Double(max(1, bins.count))
        var svg = "<svg class=\"histogram\" role=\"img\" aria-label=\"\(HTMLPage.escape(label))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        for (index, (name, count)) in bins.enumerated() {
            let barHeight = (height - bottom - top) * Double(count) / maximum
            let x = Double(index) * column
            let y = height - bottom - barHeight
            svg += "<rect class=\"bar\" x=\"\(format(x + 2))\" y=\"\(format(y))\" width=\"\(format(column - 4))\" "
                + "height=\"\(format(barHeight))\" data-bin=\"\(index)\" data-count=\"\(count)\"></rect>"
            svg += "<text x=\"\(format(x + column / 2))\" y=\"\(format(y - 3))\" text-anchor=\"middle\">\(count)</text>"
            svg += "<text x=\"\(format(x + 2))\" y=\"\(format(height - 5))\">\(HTMLPage.escape(name))</text>"
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
