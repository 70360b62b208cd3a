import Anatomy
import ArgumentParser

/// `bodypart review relabel SERIES TERM`: neither answer is right.
struct ReviewRelabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relabel",
        abstract: "Give the series another body part (status relabelled, label = TERM, a defined term)."
    )

    @OptionGroup var options: ReviewVerdictOptions

    @Argument(help: "The SeriesInstanceUID.")
    var series: String

    @Argument(help: "The body part: a defined term of Rules/body-parts.yaml (CHEST, ABDOMENPELVIS, …).")
    var term: String

    @Option(help: "Rules folder (default: found next to the binary or above the current folder).")
    var rules: String?

    func run() throws {
        let taxonomy: Taxonomy
        do {
            taxonomy = try Taxonomy.load(from: RulesDirectory.locate(explicit: rules).appendingPathComponent("body-parts.yaml"))
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
        guard let defined = taxonomy.term(term.uppercased()) else {
            Console.error("'\(term)' is not a defined term of Rules/body-parts.yaml (e.g. CHEST, HEAD, ABDOMENPELVIS)")
            throw ExitStatus.usage
        }
        try options.record(series: series, status: .relabelled) { _ in defined.definedTerm }
    }
}
