import Anatomy
import Classifier
import DicomCore
import Foundation

/// The filter's core for one object at a time, as the proxy uses it: decide
/// a series from the header of its first instance, then plan the edits of
/// every instance from that decision. `clean` does the same per series from
/// all its instances (SeriesScanner, SeriesDecider, EditPlanner).
public struct Enricher: Sendable {
    public let policy: Policy
    public let taxonomy: Taxonomy
    public let model: BodyPartModel
    public let decider: SeriesDecider
    public let planner: EditPlanner

    public init(policy: Policy, hanging: HangingRules, taxonomy: Taxonomy, model: BodyPartModel) {
        self.policy = policy
        self.taxonomy = taxonomy
        self.model = model
        decider = SeriesDecider(policy: policy, taxonomy: taxonomy, hanging: hanging)
        planner = EditPlanner(policy: policy, taxonomy: taxonomy, modelID: model.modelID)
    }

    /// Loads the rules folder's policy (or `policyFile`), hanging rules,
    /// taxonomy and the model (or `modelFile`).
    public static func load(rules: URL, policyFile: String? = nil, modelFile: String? = nil) throws -> Enricher {
        let policy = try PolicyLoader.load(from: policyFile.map { URL(fileURLWithPath: $0) } ?? rules.appendingPathComponent("policy.yaml"))
        let hanging = try HangingRules.load(from: rules.appendingPathComponent("hanging.yaml"))
        let taxonomy = try Taxonomy.load(from: rules.appendingPathComponent("body-parts.yaml"))
        let model = try modelFile.map { try BodyPartModel.load(from: URL(fileURLWithPath: $0), taxonomy: taxonomy) }
            ?? BodyPartModel.standard(rulesDirectory: rules.path)
        return Enricher(policy: policy, hanging: hanging, taxonomy: taxonomy, model: model)
    }

    /// The decision for a series, from one instance's header (original values,
    /// bodypart's own earlier changes undone).
    public func decide(firstInstance header: DicomHeader) -> SeriesDecision {
        let metadata = SeriesMetadata(attributes: OriginalValues.originalAttributes(of: header))
        let prediction = policy.skipReason(modality: metadata["Modality"]) == nil ? model.predict(metadata) : nil
        return decider.decide(series: metadata, prediction: prediction)
    }

    /// The edits of one instance under `decision` (empty when nothing to do).
    public func plan(_ decision: SeriesDecision, dataset: DataSet, dateTime: String) -> EditPlan {
        planner.plan(decision, dataset: dataset, dateTime: dateTime)
    }

    /// DICOM DT for `date` (local time, YYYYMMDDHHMMSS).
    public static func dateTime(_ date: Date = Date()) -> String { CleanRun.dateTime(date) }
}
