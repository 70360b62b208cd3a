import Anatomy

/// Answers by the taxonomy's hierarchy (`Rules/body-parts.yaml`, `contains`): when the most
/// probable class is not sure enough, the most specific class containing it whose probability,
/// with that of the classes it contains, reaches ``BodyPartModel/coarserThreshold`` (torn between
/// ABDOMEN and ABDOMENPELVIS, ABDOMENPELVIS). The answer is marked `precision: coarser`.
///
/// Such an answer is right only when the series' label is that class itself (a coarser region is
/// wrong in the scorer's sense), so the threshold is fitted out of fold on exactly that
/// (``ModelBuilder``) and is usually above the main one: the mass is an upper bound of the
/// probability that the containing class is the label.
struct Hierarchy: Sendable {
    /// Per model class, the model classes strictly containing it, most specific first.
    let containers: [[Int]]
    /// Per model class, itself, its equivalents and every model class it contains.
    let family: [[Int]]

    init(classes: [String], taxonomy: Taxonomy?) {
        guard let taxonomy else {
            containers = classes.map { _ in [] }
            family = classes.indices.map { [$0] }
            return
        }
        let family = classes.indices.map { a in
            classes.indices.filter { j in j == a || taxonomy.areEquivalent(classes[a], classes[j]) || taxonomy.contains(classes[a], classes[j]) }
        }
        self.family = family
        containers = classes.indices.map { k in
            classes.indices.filter { a in a != k && taxonomy.contains(classes[a], classes[k]) }
                .sorted { family[$0].count != family[$1].count ? family[$0].count < family[$1].count : $0 < $1 }
        }
    }

    /// The most specific class containing `best` whose family mass reaches `threshold`, with that mass.
    func coarser(_ p: [Float], best: Int, threshold: Double) -> (Int, Double)? {
        for a in containers[best] {
            let mass = Double(family[a].reduce(Float(0)) { $0 + p[$1] })
            if mass >= threshold { return (a, min(mass, 1)) }
        }
        return nil
    }

    /// The most specific containing class and its mass, whatever the mass (for fitting).
    func bestCoarser(_ p: [Float], best: Int) -> (Int, Double)? {
        containers[best].first.map { a in (a, Double(min(family[a].reduce(Float(0)) { $0 + p[$1] }, 1))) }
    }
}
