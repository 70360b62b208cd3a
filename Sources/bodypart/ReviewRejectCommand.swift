import ArgumentParser

/// `bodypart review reject SERIES`: the pixel answer is wrong.
struct ReviewRejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject the pixel answer (status rejected, label = the metadata answer, else the value sent)."
    )

    @OptionGroup var options: ReviewVerdictOptions

    @Argument(help: "The SeriesInstanceUID.")
    var series: String

    func run() throws {
        try options.record(series: series, status: .rejected) { $0.metadataAnswer ?? $0.currentBodyPartExamined }
    }
}
