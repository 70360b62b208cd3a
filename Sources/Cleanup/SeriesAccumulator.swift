import Classifier
import Foundation

/// Builds a series' metadata one instance at a time, in bounded memory:
/// per keyword the count of each distinct value (at most `maxDistinct`
/// kept), and the z range of Image Position (Patient). The result follows
/// `SeriesMetadata(instances:)`: the most frequent value per keyword, ties to
/// the smallest, and the z extent; it does not depend on instance order.
struct SeriesAccumulator {
    static let maxDistinct = 64

    private var counts: [String: [String: Int]] = [:]
    private var zMin = Double.infinity
    private var zMax = -Double.infinity
    private var zSeen = 0
    private(set) var instanceCount = 0

    mutating func add(_ attributes: [String: String]) {
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

    var metadata: SeriesMetadata {
        var attributes: [String: String] = [:]
        for (key, values) in counts {
            let best = values.min { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
            if let best { attributes[key] = best.key }
        }
        if zSeen >= 2 { attributes[SeriesMetadata.zExtentKey] = String(format: "%.1f", zMax - zMin) }
        return SeriesMetadata(attributes: attributes, instanceCount: max(instanceCount, 1))
    }
}
