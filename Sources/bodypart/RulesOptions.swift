import Anatomy
import ArgumentParser
import Cleanup
import Foundation

/// `--rules`, `--policy`, `--model`: what the filter decides by, the same
/// options and the same loader (`FilterRules`) for every command that filters.
struct RulesOptions: ParsableArguments {
    @Option(help: "Rules folder (default: found next to the binary or above the current folder).")
    var rules: String?

    @Option(help: "Policy file (default: Rules/policy.yaml).")
    var policy: String?

    @Option(help: "Model file (default: Rules/model/default.bpmodel).")
    var model: String?

    /// Loads the taxonomy, policy, hanging rules and model; a bad file
    /// becomes one line and exit 65.
    func load() throws -> FilterRules {
        do {
            return try FilterRules.load(rules: RulesDirectory.locate(explicit: rules), policyFile: policy, modelFile: model)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
    }
}
