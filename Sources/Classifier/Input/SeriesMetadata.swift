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

    /// Aggregates the headers of the instances of one series into series-level metadata
    /// (an ``Accumulator`` fed every instance).
    public init(instances: [[String: String]]) {
        var accumulator = Accumulator()
        for instance in instances { accumulator.add(instance) }
        self = accumulator.metadata
    }

    /// Builds a series' metadata one instance at a time, in bounded memory: the one series
    /// aggregation of bodypart (`clean`'s scan, ``init(instances:)``).
    ///
    /// For every keyword the most frequent non-empty value wins; ties go to the
    /// lexicographically smallest value, so the result does not depend on instance order
    /// (up to ``maxDistinct`` distinct values are counted per keyword: a keyword with more
    /// than that, which no classifier input has, keeps the first ones seen). When several
    /// instances carry `ImagePositionPatient`, the spread of their z coordinate is stored under
    /// ``zExtentKey``; the position itself, different in every slice, is not kept.
    public struct Accumulator: Sendable {
        /// Distinct values counted per keyword.
        public static let maxDistinct = 64

        private var counts: [String: [String: Int]] = [:]
        private var zMin = Double.infinity
        private var zMax = -Double.infinity
        private var zSeen = 0
        /// Instances added so far.
        public private(set) var instanceCount = 0

        public init() {}

        /// Adds one instance's attributes (keyword → value).
        public mutating func add(_ attributes: [String: String]) {
            instanceCount += 1
            for (key, value) in attributes {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                if key == "ImagePositionPatient" {
                    let parts = trimmed.split(separator: "\\")
                    if parts.count == 3, let z = Double(parts[2].trimmingCharacters(in: .whitespaces)) {
                        zMin = min(zMin, z)
                        zMax = max(zMax, z)
                        zSeen += 1
                    }
                    continue
                }
                if counts[key]?[trimmed] != nil || (counts[key]?.count ?? 0) < Self.maxDistinct {
                    counts[key, default: [:]][trimmed, default: 0] += 1
                }
            }
        }

        /// The series' metadata from the instances added so far.
        public var metadata: SeriesMetadata {
            var attributes: [String: String] = [:]
            for (key, values) in counts {
                let best = values.min { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
                if let best { attributes[key] = best.key }
            }
            if zSeen >= 2 { attributes[SeriesMetadata.zExtentKey] = String(format: "%.1f", zMax - zMin) }
            return SeriesMetadata(attributes: attributes, instanceCount: max(instanceCount, 1))
        }
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
