import ArgumentParser
import DicomCore
import DicomIO

/// `bodypart tags PATH...`: the header of each DICOM file as JSON.
struct TagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Print the header of DICOM files (read up to Pixel Data) as JSON lines.",
        discussion: """
            Folders are read recursively. Each file gives one JSON object with its UIDs, transfer \
            syntax and the attributes the classifier uses, by keyword; --all adds every element. \
            A file that cannot be read is named on stderr with the reason and the run goes on; \
            the exit status is then 1.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, json, table
    }

    @Argument(help: "DICOM files or folders.")
    var paths: [String]

    @Option(help: "Output format: jsonl (one object per line), json (an array), table.")
    var format: Format = .jsonl

    @Flag(help: "Include every element (keyword or tag, VR, value; sequences nested).")
    var all = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder") }
    }

    func run() throws {
        try ExitStatus.requireInputs(paths)
        try Setup.dicom()
        let reader = HeaderReader()
        var objects: [JSON] = []
        var read = 0
        var skipped = 0
        if format == .table { Console.out(TagsCommand.tableHeader) }
        for entry in FileWalker(paths) {
            switch entry {
            case .problem(let path, let reason):
                skipped += 1
                Console.error("\(path): \(reason)")
            case .file(let path):
                do {
                    let header = try reader.read(path)
                    read += 1
                    let json = HeaderJSON.object(for: header, allElements: all)
                    switch format {
                    case .jsonl: Console.out(json.rendered())
                    case .json: objects.append(json)
                    case .table: Console.out(TagsCommand.tableRow(header))
                    }
                } catch {
                    skipped += 1
                    Console.error(error.description)
                }
            }
        }
        if format == .json { Console.out(JSON.array(objects).rendered(indent: 2)) }
        Console.flush()
        if read == 0 && skipped == 0 {
            Console.error("no files found under \(paths.joined(separator: " "))")
            throw ExitStatus.noInput
        }
        if skipped > 0 { throw ExitStatus.someSkipped }
    }

    static let tableHeader = ["MODALITY", "BODYPART", "SERIES DESCRIPTION", "PATH"].joined(separator: "\t")

    static func tableRow(_ header: DicomHeader) -> String {
        let d = header.dataset
        return [d.string(.modality) ?? "-", d.string(.bodyPartExamined) ?? "-", d.string(.seriesDescription) ?? "-", header.path]
            .joined(separator: "\t")
    }
}
