import Foundation

/// One series' header metadata keyed by DICOM keyword (multi-valued values joined by "\\").
///
/// This is the only input the metadata classifier sees. It is built either directly from a
/// dictionary (one representative instance, a CSV row) or by aggregating the headers of every
/// instance of the series with ``init(instances:)``.
public struct SeriesMetadata: Sendable, Hashable, Codable {
    /// Attribute values keyed by DICOM keyword (`StudyDescription`, `ImageOrientationPatient`, ...).
    public var attributes: [String: String]
    /// Number of instances (files) in the series.
    public var instanceCount: Int

    /// Synthetic keyword holding the table z-extent in millimetres, derived from the spread of
    /// `ImagePositionPatient` over the instances of a series.
    public static let zExtentKey = "_ZExtent"

    /// Creates series metadata from one set of attributes.
    public init(attributes: [String: String], instanceCount: Int = 1) {
        self.attributes = attributes
        self.instanceCount = instanceCount
    }

    /// Aggregates the headers of the instances of one series into series-level metadata.
    ///
    /// For every keyword the most frequent non-empty value wins; ties go to the
    /// lexicographically smallest value, so the result does not depend on instance order.
    /// When several instances carry `ImagePositionPatient`, the spread of their z coordinate
    /// is stored under ``zExtentKey``.
    public init(instances: [[String: String]]) {
        var counts: [String: [String: Int]] = [:]
        var zMin = Double.infinity
        var zMax = -Double.infinity
        var zSeen = 0
        for instance in instances {
            for (key, value) in instance {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                counts[key, default: [:]][trimmed, default: 0] += 1
                if key == "ImagePositionPatient" {
                    let parts = trimmed.split(separator: "\\")
                    if parts.count == 3, let z = Double(parts[2].trimmingCharacters(in: .whitespaces)) {
                        zMin = min(zMin, z)
                        zMax = max(zMax, z)
                        zSeen += 1
                    }
                }
            }
        }
        var attributes: [String: String] = [:]
        for (key, values) in counts {
            var best: (value: String, count: Int)?
            for (value, count) in values {
                if let current = best {
                    if count > current.count || (count == current.count && value < current.value) {
                        best = (value, count)
                    }
                } else {
                    best = (value, count)
                }
            }
            if let best { attributes[key] = best.value }
        }
        if zSeen >= 2 {
            attributes[Self.zExtentKey] = String(format: "%.1f", zMax - zMin)
        }
        self.init(attributes: attributes, instanceCount: max(instances.count, 1))
    }

    /// The value of one keyword, or nil when absent or empty.
    public subscript(_ keyword: String) -> String? {
        guard let value = attributes[keyword], !value.isEmpty else { return nil }
        return value
    }

    /// A copy with `BodyPartExamined` replaced (nil removes it).
    public func withBodyPartExamined(_ value: String?) -> SeriesMetadata {
        var copy = self
        copy.attributes["BodyPartExamined"] = value
        return copy
    }
}
