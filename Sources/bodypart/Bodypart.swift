import ArgumentParser

/// The `bodypart` command line: parses arguments, calls a library, prints.
@main
struct Bodypart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bodypart",
        abstract: "Predict, fix and audit the body part of DICOM series from their headers.",
        discussion: """
            Exit status: 0 all inputs handled; 1 some inputs skipped (each named on stderr); \
            64 wrong usage; 65 bad rules or policy data; 66 no input; 70 internal error; \
            73 output cannot be written; 74 I/O error; 75 audit, target or spool in use by another run.
            """,
        version: BodypartVersion.number,
        subcommands: [
            CleanCommand.self, AuditCommand.self, ClassifyCommand.self, TagsCommand.self, TrainCommand.self,
            EvaluateCommand.self, PixelcheckCommand.self, ReviewCommand.self, ProxyCommand.self,
        ]
    )
}
