/// The intercept to use when Rescale Slope/Intercept are missing, from where
/// air is among the stored values: at about −1000 (values are HU already,
/// intercept 0) or at about 0 (unsigned storage, intercept −1024, the usual
/// CT offset). Nil when neither shows.
package enum RescaleGuess {
    /// Share of pixels that must look like air (the air around the body).
    static let minimumAirShare = 0.02

    package static func intercept(_ values: ArraySlice<Float>) -> Float? {
        guard !values.isEmpty else { return nil }
        var airAsHU = 0, airAsRaw = 0, negative = 0
        for v in values {
            if v >= -1100 && v <= -900 { airAsHU += 1 }
            if v >= 0 && v <= 100 { airAsRaw += 1 }
            if v < -100 { negative += 1 }
        }
        let n = Double(values.count)
        if Double(airAsHU) / n >= minimumAirShare { return 0 }
        if Double(negative) / n < 0.001 && Double(airAsRaw) / n >= minimumAirShare { return -1024 }
        return nil
    }
}
