/// A DICOM value representation (PS3.5 §6.2), by its two-letter code.
public struct VR: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The two-letter code, e.g. `CS`.
    public let rawValue: String

    /// Creates a VR from its two-letter code.
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// True for VRs whose value is bytes, not text or numbers.
    public var isBinary: Bool { VR.binaryCodes.contains(rawValue) }

    public static let AE = VR(rawValue: "AE"), AS = VR(rawValue: "AS"), CS = VR(rawValue: "CS")
    public static let DA = VR(rawValue: "DA"), DS = VR(rawValue: "DS"), DT = VR(rawValue: "DT")
    public static let IS = VR(rawValue: "IS"), LO = VR(rawValue: "LO"), LT = VR(rawValue: "LT")
    public static let PN = VR(rawValue: "PN"), SH = VR(rawValue: "SH"), SQ = VR(rawValue: "SQ")
    public static let ST = VR(rawValue: "ST"), TM = VR(rawValue: "TM"), UI = VR(rawValue: "UI")
    public static let UN = VR(rawValue: "UN"), UT = VR(rawValue: "UT"), US = VR(rawValue: "US")

    static let binaryCodes: Set<String> = ["OB", "OW", "OF", "OD", "OL", "OV", "UN", "ox", "px"]
}
