import ArgumentParser

/// `bodypart-bench`: measures bodypart's DICOM reading and writing and prints
/// the figures side by side with reference tools (DCMTK's dcmdump and
/// dcmodify, pydicom), as ratios, in one run.
@main
struct BodypartBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bodypart-bench",
        abstract: "Benchmarks of bodypart's DICOM I/O against reference tools.",
        discussion: """
            Each case runs --runs times, interleaved with the other cases, and the median is \
            printed. Ratios are bodypart's files/s divided by the case's files/s: above 1 means \
            bodypart is faster. Benchmarks/run-all.sh prepares the corpus and pydicom.
            """,
        subcommands: [ReadCommand.self, WriteCommand.self, CleanCommand.self, PixelCommand.self, AuditFillCommand.self]
    )
}
