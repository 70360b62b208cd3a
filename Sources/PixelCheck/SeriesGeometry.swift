import Foundation

/// Which slices of a series the pixel check can use, and why not: CT only,
/// localizers dropped, one axial orientation, positions along its normal.
public enum SeriesGeometry {
    /// Slices to read, each with its position along the normal (mm).
    public struct Plan: Sendable {
        public var slices: [(header: SliceHeader, z: Double)]
        public var notes: [String]
    }

    /// Cosine between a slice normal and the body axis above which a slice
    /// counts as axial (35°: gantry tilts of up to 30° stay axial).
    package static let axialCosine = cos(35 * Double.pi / 180)
    /// Normals closer than this (about 3°) are the same orientation.
    package static let sameOrientation = 0.9986

    /// The plan for `series`, or the reason for abstaining.
    public static func plan(_ series: PixelSeries) -> Result<Plan, AbstainReason> {
        var notes: [String] = []
        let modalities = Set(series.slices.map { $0.modality ?? "" })
        guard modalities == ["CT"] else {
            return .failure(AbstainReason("modality \(modalities.sorted().joined(separator: "/")): the pixel check reads CT Hounsfield units only"))
        }
        var slices = series.slices.filter { !$0.isLocalizer }
        if slices.isEmpty { return .failure(AbstainReason("localizer (scout) images only: no axial volume")) }
        if slices.count < series.slices.count { notes.append("\(series.slices.count - slices.count) localizer image(s) left out") }
        let multiFrame = slices.filter { $0.frames > 1 }.count
        if multiFrame > 0 { return .failure(AbstainReason("multi-frame (enhanced) CT: per-frame positions are not read yet")) }
        slices = slices.filter { $0.normal != nil && $0.position != nil }
        guard !slices.isEmpty else { return .failure(AbstainReason("no Image Position/Orientation (Patient): slices cannot be placed")) }
        if slices.count < series.slices.count - series.slices.filter(\.isLocalizer).count {
            notes.append("slices without position or orientation left out")
        }
        // The most common orientation wins when it holds two thirds of the slices.
        var groups: [(normal: Vector3, members: [SliceHeader])] = []
        for slice in slices {
            let n = slice.normal!
            if let i = groups.firstIndex(where: { $0.normal.dot(n) > sameOrientation }) { groups[i].members.append(slice) }
            else { groups.append((n, [slice])) }
        }
        groups.sort { $0.members.count > $1.members.count }
        let main = groups[0]
        if groups.count > 1 {
            guard Double(main.members.count) >= 2.0 / 3.0 * Double(slices.count) else {
                return .failure(AbstainReason("mixed orientations: \(groups.count) slice orientations, none holding two thirds of the slices"))
            }
            notes.append("\(slices.count - main.members.count) slice(s) with another orientation left out")
        }
        guard abs(main.normal.z) >= axialCosine else {
            return .failure(AbstainReason("not axial: slices are sagittal or coronal (normal \(format(main.normal))); the check needs an axial volume"))
        }
        if abs(main.normal.z) < 0.9999 { notes.append("tilted slices (gantry tilt \(Int((acos(abs(main.normal.z)) * 180 / .pi).rounded()))°): positions taken along the slice normal") }
        // One slice per position (repeated phases keep their first slice).
        var seen = Set<Int>()
        var placed: [(header: SliceHeader, z: Double)] = []
        for slice in main.members.sorted(by: { $0.path < $1.path }) {
            let z = slice.position!.dot(main.normal)
            if seen.insert(Int((z * 10).rounded())).inserted { placed.append((slice, z)) }
        }
        if placed.count < main.members.count { notes.append("\(main.members.count - placed.count) slice(s) at a repeated position left out") }
        return .success(Plan(slices: placed, notes: notes))
    }

    static func format(_ v: Vector3) -> String {
        String(format: "%.2f,%.2f,%.2f", v.x, v.y, v.z)
    }
}

/// Why the pixel check gives no answer for a series (one line).
public struct AbstainReason: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
