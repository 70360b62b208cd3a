import Anatomy

/// Labels for series without a usable BodyPartExamined, from what their own descriptions name
/// (distant supervision), to teach the linear model the words that go with a region where no
/// rule names it.
///
/// Two thirds of the IDC series table has no BodyPartExamined a class can be read from; many of
/// them sit in studies whose description names the region ("MR BRAIN W/WO") while the series
/// description names a technique ("AX DTI 30 DIR", "MPRAGE"). Labelled with the region, and shown
/// once more with the study description hidden, they teach that such series belong to it: the
/// vocabulary a site without study descriptions (or with "MRI OPTIMIZATION" as one) needs.
///
/// A series is labelled only when it is unambiguous:
/// - its series description names a region (every match the same, an equivalent, or a part of
///   the first) and the study description names nothing, the same, or a region containing it →
///   that region; or
/// - its series description names nothing and the study description names a region,
///   unambiguously → that region, and the series is also given without its study description
///   (only when it has a series description of its own).
/// Anything else (the two disagree, a field names two regions) is left out. At most
/// `capPerGroupClass` series per (collection, label) are kept, seeded.
public struct DistantSupervision: Sendable {
    /// The taxonomy whose rule matches label.
    public let taxonomy: Taxonomy
    /// Most labelled series per (group, label).
    public var capPerGroupClass = 300
    /// Seed for the cap's draw.
    public var seed: UInt64 = 11

    /// Creates a labeller.
    public init(taxonomy: Taxonomy) { self.taxonomy = taxonomy }

    /// The label the descriptions give, and whether it comes from the study description alone.
    public func label(_ metadata: SeriesMetadata) -> (label: String, fromStudy: Bool)? {
        let series = matches(metadata["SeriesDescription"])
        let study = matches(metadata["StudyDescription"])
        if let s = series.first {
            guard unambiguous(series) else { return nil }
            if let t = study.first, !(t == s || taxonomy.areEquivalent(t, s) || taxonomy.contains(t, s)) { return nil }
            return (s, false)
        }
        guard let t = study.first, unambiguous(study) else { return nil }
        return (t, true)
    }

    /// Labelled examples from `unlabelled` (their BodyPartExamined, if any, is left as is: it
    /// named no class), restricted to `classes`.
    public func examples(_ unlabelled: [TrainingExample], classes: Set<String>) -> [TrainingExample] {
        var rng = SplitMix(seed: seed)
        var perClass: [String: Int] = [:]
        var out: [TrainingExample] = []
        var cache: [String: (String, Bool)?] = [:]
        for e in unlabelled.shuffled(using: &rng) {
            let key = (e.metadata["StudyDescription"] ?? "") + "\u{1}" + (e.metadata["SeriesDescription"] ?? "")
            let found: (String, Bool)?
            if let hit = cache[key] { found = hit } else { found = label(e.metadata); cache[key] = found }
            guard let (label, fromStudy) = found, classes.contains(label) else { continue }
            let k = e.group + "\u{1}" + label
            perClass[k, default: 0] += 1
            guard perClass[k]! <= capPerGroupClass else { continue }
            var labelled = e
            labelled.label = label
            out.append(labelled)
            if fromStudy, e.metadata["SeriesDescription"] != nil {
                var masked = labelled
                masked.metadata.attributes["StudyDescription"] = nil
                out.append(masked)
            }
        }
        return out
    }

    func matches(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return taxonomy.ruleMatch(text)
    }

    /// Every match is the first, an equivalent, or a part of it.
    func unambiguous(_ m: [String]) -> Bool {
        guard let first = m.first else { return false }
        return m.dropFirst().allSatisfy { $0 == first || taxonomy.areEquivalent(first, $0) || taxonomy.contains(first, $0) }
    }
}
