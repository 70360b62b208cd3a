import Foundation

/// The value range mapped to black … white.
public struct PreviewWindow: Sendable, Equatable, CustomStringConvertible {
    /// Values at or below `low` are black, at or above `high` white.
    public var low: Double
    public var high: Double
    /// How it was chosen, for captions (`CT W 400 L 40`).
    public var description: String

    public init(low: Double, high: Double, description: String) {
        self.low = low
        self.high = max(high, low + 1e-6)
        self.description = description
    }

    /// CT soft-tissue window, width 400 HU, level 40 HU (−160 … 240 HU):
    /// air and lung black, fat dark, organs and muscle grey, bone white. What
    /// a reviewer needs to tell head, neck, chest, abdomen and pelvis apart.
    public static let ctSoftTissue = PreviewWindow(low: 40 - 200, high: 40 + 200, description: "CT W 400 L 40")

    /// Percentiles used when the values have no fixed scale (not CT, or CT
    /// whose Hounsfield units are unknown).
    public static let percentiles = (low: 0.005, high: 0.995)

    /// The 0.5th … 99.5th percentile of `values` (at most 65,536 of them,
    /// evenly picked, are sorted).
    public static func percentile(of values: [Float]) -> PreviewWindow {
        guard !values.isEmpty else { return PreviewWindow(low: 0, high: 1, description: "no values") }
        let step = max(1, values.count / 65_536)
        var sample = stride(from: 0, to: values.count, by: step).map { values[$0] }.filter { $0.isFinite }
        guard !sample.isEmpty else { return PreviewWindow(low: 0, high: 1, description: "no finite values") }
        sample.sort()
        let low = Double(sample[Int(Double(sample.count - 1) * percentiles.low)])
        let high = Double(sample[Int((Double(sample.count - 1) * percentiles.high).rounded(.up))])
        let text = "0.5–99.5 percentile window \(format(low))…\(format(high))"
        return PreviewWindow(low: low, high: high, description: text)
    }

    /// The gray level of a value.
    @inline(__always)
    func gray(_ value: Float) -> UInt8 {
        let t = (Double(value) - low) / (high - low)
        guard t.isFinite else { return 0 }
        return UInt8(max(0, min(255, (t * 255).rounded())))
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}
