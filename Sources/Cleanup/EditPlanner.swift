import Anatomy
import DicomCore
import Foundation

/// One attribute change, as the audit records it.
public struct PlannedChange: Sendable, Hashable {
    public let tag: Tag
    public let keyword: String
    public let oldValue: String?
    public let newValue: String?
}

/// The edits for one instance and the changes they make; empty when the
/// object already is as the decision wants it (idempotence).
public struct EditPlan: Sendable, Hashable {
    public var edits: [Edit] = []
    public var changes: [PlannedChange] = []
    public var isEmpty: Bool { edits.isEmpty }
}

/// Plans the edits of one instance from its series' decision and its current
/// header: only what differs from the wanted state is edited, every changed
/// standard attribute keeps its old value in Original Attributes Sequence,
/// and the private block is rewritten only when one of its values (other
/// than its time stamp) changes.
public struct EditPlanner: Sendable {
    public let policy: Policy
    public let taxonomy: Taxonomy
    public let modelID: String

    public init(policy: Policy, taxonomy: Taxonomy, modelID: String) {
        self.policy = policy
        self.taxonomy = taxonomy
        self.modelID = modelID
    }

    /// The top-level elements a plan reads: pass to `DicomObject.dataset(including:)`.
    public static let reads: @Sendable (Tag) -> Bool = { tag in
        tag == .sopInstanceUID || OriginalValues.managedTags.contains(tag) || tag == .originalAttributesSequence
            || tag.group == PrivateBlock.group
    }

    /// The plan for `dataset` under `decision`, stamped with `dateTime` (DT).
    public func plan(_ decision: SeriesDecision, dataset: DataSet, dateTime: String) -> EditPlan {
        var plan = EditPlan()
        guard decision.kind != .skipped else { return plan }
        var standard: [Edit] = []
        var changedTags: [Tag] = []

        if let new = decision.newBodyPartExamined, policy.mayChange("BodyPartExamined"),
           dataset.string(.bodyPartExamined) != new {
            standard.append(.set(.bodyPartExamined, .CS, new))
            changedTags.append(.bodyPartExamined)
            plan.changes.append(PlannedChange(tag: .bodyPartExamined, keyword: "BodyPartExamined",
                                              oldValue: EditPlanner.old(dataset, .bodyPartExamined), newValue: new))
        }
        let regionTerm = decision.regionTerm
            ?? (decision.kind == .confirmed ? decision.originalBodyPartExamined.flatMap { taxonomy.normalize($0).matched } : nil)
        if let regionTerm, let term = taxonomy.term(regionTerm), !term.snomedCode.isEmpty,
           policy.mayChange("AnatomicRegionSequence") {
            let current = dataset.items(.anatomicRegionSequence).first
            let replaces = decision.newBodyPartExamined != nil
            let same = current?.string(.codeValue) == term.snomedCode && current?.string(.codingSchemeDesignator) == "SCT"
            if !same && (current == nil || replaces) {
                standard.append(.setSequence(.anatomicRegionSequence, [[
                    .set(.codeValue, .SH, term.snomedCode),
                    .set(.codingSchemeDesignator, .SH, BodyPartTerm.codingScheme),
                    .set(.codeMeaning, .LO, term.codeMeaning),
                ]]))
                changedTags.append(.anatomicRegionSequence)
                plan.changes.append(PlannedChange(
                    tag: .anatomicRegionSequence, keyword: "AnatomicRegionSequence",
                    oldValue: dataset[.anatomicRegionSequence] == nil ? nil
                        : current.map { "\($0.string(.codeValue) ?? "")^\($0.string(.codingSchemeDesignator) ?? "")" } ?? "",
                    newValue: "\(term.snomedCode)^SCT^\(term.codeMeaning)"))
            }
        }
        for (keyword, tag) in [("StudyDescription", Tag.studyDescription), ("SeriesDescription", Tag.seriesDescription)] {
            guard let value = decision.descriptions[keyword], dataset.string(tag) == nil else { continue }
            standard.append(.set(tag, .LO, value))
            changedTags.append(tag)
            plan.changes.append(PlannedChange(tag: tag, keyword: keyword, oldValue: EditPlanner.old(dataset, tag), newValue: value))
        }
        if !standard.isEmpty {
            let items = dataset.items(.originalAttributesSequence).count
            plan.edits.append(.recordOriginals(tags: changedTags, dateTime: dateTime, modifyingSystem: policy.modifyingSystem,
                                               source: "", reason: decision.modificationReason))
            plan.edits += standard
            plan.changes.append(PlannedChange(tag: .originalAttributesSequence, keyword: "OriginalAttributesSequence",
                                              oldValue: "\(items) items", newValue: "\(items + 1) items"))
        }
        if policy.privateTags {
            let wanted = privateValues(decision, dateTime: dateTime)
            let current = PrivateBlock.values(in: dataset)
            var a = wanted, b = current
            a[.dateTime] = nil
            b[.dateTime] = nil
            if a != b {
                let elements = PrivateBlock.Element.allCases.compactMap { element in
                    wanted[element].map { PrivateElement(offset: element.rawValue, vr: element.vr, value: $0) }
                }
                plan.edits.append(.setPrivate(group: PrivateBlock.group, creator: PrivateBlock.creator, elements: elements))
                plan.changes.append(PlannedChange(
                    tag: Tag(PrivateBlock.group, 0x0000), keyword: "BodyPartPrediction",
                    oldValue: current.isEmpty ? nil : summary(current), newValue: summary(wanted)))
            }
        }
        return plan
    }

    /// The old value for the audit: nil when the element was absent, its
    /// (possibly empty) text when present.
    static func old(_ dataset: DataSet, _ tag: Tag) -> String? {
        guard let element = dataset[tag] else { return nil }
        return element.text ?? ""
    }

    func privateValues(_ decision: SeriesDecision, dateTime: String) -> [PrivateBlock.Element: String] {
        let source = decision.source ?? .metadata
        var values: [PrivateBlock.Element: String] = [
            .source: source.rawValue, .decision: decision.kind.rawValue, .modelID: String(modelID.prefix(64)),
            .dateTime: dateTime, .reason: String(decision.reason.prefix(10240)),
            .originalBodyPartExamined: String((decision.originalBodyPartExamined ?? "").prefix(64)),
        ]
        // The predicted body part is the answer the decision rests on: the
        // pixel model's when it decided alone, else the metadata model's.
        let answer: (part: String?, confidence: Double)? = source == .pixel
            ? decision.pixel.map { ($0.bodyPart, $0.confidence) }
            : decision.prediction.map { ($0.abstained ? nil : $0.bodyPart, $0.confidence) }
        if let pixel = decision.pixel, let part = pixel.bodyPart {
            values[.pixelBodyPart] = part
            values[.pixelConfidence] = String(format: "%.4f", pixel.confidence)
        }
        if let p = answer {
            values[.confidence] = String(format: "%.4f", p.confidence)
            if let part = p.part {
                values[.predictedBodyPart] = part
                if let term = taxonomy.term(part) {
                    values[.codeValue] = term.snomedCode
                    values[.codingScheme] = BodyPartTerm.codingScheme
                    values[.codeMeaning] = String(term.codeMeaning.prefix(64))
                }
            }
        }
        if let category = decision.hangingCategory { values[.hangingCategory] = category }
        return values
    }

    func summary(_ values: [PrivateBlock.Element: String]) -> String {
        [values[.decision], values[.predictedBodyPart], values[.confidence], values[.modelID]]
            .map { $0 ?? "" }.joined(separator: " ")
    }
}
