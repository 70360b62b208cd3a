import Anatomy
import Classifier
import DicomCore
import Foundation

/// The filter's core, the same for `clean` and the proxy: one policy,
/// taxonomy, hanging rules and model (loaded once, `FilterRules`), one
/// series decision (`decide(series:)`, the one place the classifier is
/// called), one edit plan per instance. `clean` decides a series from all
/// its instances (SeriesScanner), the proxy from its first instance; both
/// audit through `AuditRows`.
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

    public init(_ rules: FilterRules) {
        self.init(policy: rules.policy, hanging: rules.hanging, taxonomy: rules.taxonomy, model: rules.model)
    }

    /// Loads the rules folder's policy (or `policyFile`), hanging rules,
    /// taxonomy and the model (or `modelFile`).
    public static func load(rules: URL, policyFile: String? = nil, modelFile: String? = nil) throws -> Enricher {
        Enricher(try FilterRules.load(rules: rules, policyFile: policyFile, modelFile: modelFile))
    }

    /// The decision for a series from its metadata (original values,
    /// bodypart's own earlier changes undone): the one place the classifier
    /// is called. A series the policy skips is not classified.
    public func decide(series metadata: SeriesMetadata) -> SeriesDecision {
        let prediction = policy.skipReason(modality: metadata["Modality"]) == nil ? model.predict(metadata) : nil
        return decider.decide(series: metadata, prediction: prediction)
    }

    /// The decisions for series read with their studies (`studies[i]` is the Study Instance UID of
    /// `series[i]`; Classifier's `StudyContext`): what `clean` uses, as it has every study whole.
    /// Series the policy skips are not classified.
    public func decide(series: [SeriesMetadata], studies: [String]) -> [SeriesDecision] {
        let predictions = model.predict(series, studies: studies)
        return series.indices.map { i in
            let prediction = policy.skipReason(modality: series[i]["Modality"]) == nil ? predictions[i] : nil
            return decider.decide(series: series[i], prediction: prediction)
        }
    }

    /// The decision for a series, from one instance's header (original values,
    /// bodypart's own earlier changes undone).
    public func decide(firstInstance header: DicomHeader) -> SeriesDecision {
        decide(series: SeriesMetadata(attributes: OriginalValues.originalAttributes(of: header)))
    }

    /// The decision for a series from one instance's header, read with the series of its study
    /// decided before it (`study`: their metadata, as this returns it): what the proxy knows of a
    /// study when a series' first instance arrives (Classifier's `StudyContext`: a localizer whose
    /// own descriptions name nothing takes the region the study's answered series agree on).
    public func decide(firstInstance header: DicomHeader, study: [SeriesMetadata]) -> (decision: SeriesDecision, metadata: SeriesMetadata) {
        let metadata = SeriesMetadata(attributes: OriginalValues.originalAttributes(of: header))
        guard !study.isEmpty else { return (decide(series: metadata), metadata) }
        let series = study + [metadata]
        let decisions = decide(series: series, studies: series.map { _ in "study" })
        return (decisions[decisions.count - 1], metadata)
    }

    /// The edits of one instance under `decision` (empty when nothing to do).
    public func plan(_ decision: SeriesDecision, dataset: DataSet, dateTime: String) -> EditPlan {
        planner.plan(decision, dataset: dataset, dateTime: dateTime)
    }

    /// DICOM DT for `date` (local time, YYYYMMDDHHMMSS).
    public static func dateTime(_ date: Date = Date()) -> String { CleanRun.dateTime(date) }
}
