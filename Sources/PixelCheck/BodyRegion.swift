/// The body regions the pixel check tells apart, in head-to-foot order. A
/// series covers a contiguous run of them.
public enum BodyRegion: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case head, neck, chest, abdomen, pelvis, legs

    /// Upper-case name as printed (`HEAD`, `LEGS`).
    public var description: String {
        switch self {
        case .head: "HEAD"
        case .neck: "NECK"
        case .chest: "CHEST"
        case .abdomen: "ABDOMEN"
        case .pelvis: "PELVIS"
        case .legs: "LEGS"
        }
    }

    public static func < (a: BodyRegion, b: BodyRegion) -> Bool { a.rawValue < b.rawValue }

    /// The shortest extent (mm along the slice normal) a region at either end
    /// of a series must have to count towards the body part: a chest CT that
    /// ends a few centimetres into the upper abdomen is still a chest CT.
    public var minimumEdgeExtent: Double {
        switch self {
        case .head: 50
        case .neck: 50
        case .chest: 50
        case .abdomen: 80
        case .pelvis: 50
        case .legs: 80
        }
    }
}
