import Anatomy
import Classifier
import Foundation

/// Everything the filter decides by, loaded in one place for every command:
/// the taxonomy (`body-parts.yaml`), the policy (`policy.yaml` or a file of
/// the user's), the hanging rules (`hanging.yaml`) and the model (the one
/// shipped in the rules folder, or a file of the user's).
public struct FilterRules: Sendable {
    public var taxonomy: Taxonomy
    public var policy: Policy
    public var hanging: HangingRules
    public var model: BodyPartModel

    public init(taxonomy: Taxonomy, policy: Policy, hanging: HangingRules, model: BodyPartModel) {
        self.taxonomy = taxonomy
        self.policy = policy
        self.hanging = hanging
        self.model = model
    }

    /// Loads from the rules folder `rules`; `policyFile` and `modelFile`
    /// replace the folder's policy and model. Throws the loader's error
    /// (a taxonomy, policy, hanging-rule or model error naming its file).
    public static func load(rules: URL, policyFile: String? = nil, modelFile: String? = nil) throws -> FilterRules {
        let taxonomy = try Taxonomy.load(from: rules.appendingPathComponent(RulesDirectory.markerFile))
        let policy = try PolicyLoader.load(from: policyFile.map { URL(fileURLWithPath: $0) } ?? rules.appendingPathComponent("policy.yaml"))
        let hanging = try HangingRules.load(from: rules.appendingPathComponent("hanging.yaml"))
        // The model gets the taxonomy loaded above (BodyPartModel.standard would
        // parse body-parts.yaml a second time: a third of the start-up).
        let modelURL = modelFile.map { URL(fileURLWithPath: $0) } ?? rules.appendingPathComponent(BodyPartModel.defaultModelPath)
        let model = try BodyPartModel.load(from: modelURL, taxonomy: taxonomy)
        return FilterRules(taxonomy: taxonomy, policy: policy, hanging: hanging, model: model)
    }
}
