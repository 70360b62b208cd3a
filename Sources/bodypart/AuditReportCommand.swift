import ArgumentParser
import Audit
import Foundation
import Preview

/// `bodypart audit report --html FILE`: one HTML page, and the previews of
/// the open reviews' series in a folder beside it.
struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report (totals, charts, old → new matrix, series to look at, open reviews with previews).",
        discussion: """
            The page fetches nothing from the network. Each open review gets PNG previews of its \
            series (mid slice, coronal reformat; see `bodypart review show --previews`), written into \
            NAME-previews/ beside the HTML file NAME.html and linked by relative paths: keep or send \
            the folder with the page. A series whose files are gone is named with the reason. \
            --no-previews writes the page alone.
            """
    )

    @OptionGroup var options: AuditOptions

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file"))
    var html: String

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: Int64?

    @Option(help: "List series below this confidence under 'Series to look at'.")
    var lowConfidence: Double = 0.6

    @Flag(inversion: .prefixedNo, help: "Write PNG previews of the open reviews' series beside the page.")
    var previews = true

    func validate() throws {
        guard (0...1).contains(lowConfidence) else { throw ValidationError("--low-confidence must be between 0 and 1") }
    }

    func run() throws {
        let runID = self.runID
        let threshold = lowConfidence
        let (store, loaded) = try AuditCommand.withStore(options) { store throws(AuditError) in
            (store, try HTMLReport.load(from: store, runID: runID, lowConfidence: threshold))
        }
        var report = loaded
        if previews && !report.reviews.isEmpty {
            try ReviewPreviewFiles.setUp()
            let (folder, relative) = Self.previewsFolder(for: html)
            for review in report.reviews {
                let outcome = try ReviewPreviewFiles.write(review, store: store, into: folder)
                // Files gone: the note alone says so (no line per picture).
                report.previews[review.seriesInstanceUID] = ReviewPreviews(
                    pictures: outcome.note != nil ? [] : outcome.pictures.map { p in
                        ReviewPreviews.Picture(view: p.view.rawValue, title: p.view.title,
                                               path: p.file.map { relative + "/" + ($0 as NSString).lastPathComponent },
                                               width: p.width, height: p.height, caption: p.caption)
                    },
                    note: outcome.note ?? (outcome.notes.isEmpty ? nil : outcome.notes.joined(separator: "; ")))
            }
        }
        try OutputFile.write(report.render(), to: html)
    }

    /// `DIR/NAME-previews` for `DIR/NAME.html`, and its name as the page links it.
    static func previewsFolder(for html: String) -> (folder: String, relative: String) {
        let url = URL(fileURLWithPath: html)
        let name = url.deletingPathExtension().lastPathComponent + "-previews"
        return (url.deletingLastPathComponent().appendingPathComponent(name).path, name)
    }
}
