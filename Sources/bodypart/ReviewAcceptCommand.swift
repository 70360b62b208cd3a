import ArgumentParser

/// `bodypart review accept SERIES`: the pixel answer is right.
struct ReviewAcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Accept the pixel answer as the series' body part (status accepted, label = pixel answer)."
    )

    @OptionGroup var options: ReviewVerdictOptions

    @Argument(help: "The SeriesInstanceUID.")
    var series: String

    func run() throws {
        try options.record(series: series, status: .accepted) { $0.pixelAnswer }
    }
}
