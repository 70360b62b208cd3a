import Anatomy
import ArgumentParser
import Cleanup
import DicomIO
import Foundation
import Proxy

/// `bodypart proxy route FILE...`: which route each series on disk takes, and why; sends nothing.
struct ProxyRouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Say which route each series of FILES takes under the configuration's routes, and why (sends nothing).",
        discussion: """
            Groups the files by Series Instance UID, decides each series on its first file (path order) as \
            the proxy decides on the first instance it forwards, and offers it to the rules of `routes:` in \
            order. Per series: the decision and predicted body part, one line per rule offered with each \
            condition met (✓) or not (✗), and the destinations. Exit status: 0 every file read; 1 some \
            files skipped (named on stderr); 64 wrong usage; 65 bad configuration, rules or model; 66 no \
            such file.
            """
    )

    @Option(help: "YAML configuration with `routes:` and `destinations:` (keys as in Rules/proxy.yaml).")
    var config: String

    @Option(help: "Rules folder (default: the configuration's, else found next to the binary or above the current folder).")
    var rules: String?

    @Argument(help: "DICOM files or folders.")
    var paths: [String]

    func run() throws {
        let configuration: ProxyConfiguration
        do {
            configuration = try ProxyConfiguration.load(yamlFile: config)
            try configuration.validate()
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
        guard let table = configuration.routes else {
            Console.error("\(config): no routes: every series goes to every destination")
            throw ExitStatus.dataError
        }
        let rulesFolder = rules ?? configuration.rulesFolder
        try Setup.dicom(rules: rulesFolder)
        let enricher: Enricher
        do {
            enricher = try Enricher.load(rules: RulesDirectory.locate(explicit: rulesFolder),
                                         policyFile: configuration.policyFile, modelFile: configuration.modelFile)
            try table.validate(taxonomy: enricher.taxonomy, file: config)
        } catch {
            Console.error("\(error)")
            throw ExitStatus.dataError
        }
        var files: [String] = []
        var problems = 0
        for entry in FileWalker(paths) {
            switch entry {
            case .file(let path): files.append(path)
            case .problem(let path, let reason):
                Console.error("\(path): \(reason)")
                problems += 1
            }
        }
        if files.isEmpty {
            Console.error("no files under \(paths.joined(separator: " "))")
            throw ExitStatus.noInput
        }
        let router = SeriesRouter(table: table, taxonomy: enricher.taxonomy, destinations: configuration.destinations)
        let (series, unreadable) = router.routeFiles(files, enricher: enricher)
        for (path, reason) in unreadable { Console.error("\(path): skipped: \(reason)") }
        for item in series { Console.out(Self.describe(item)) }
        Console.flush()
        if problems + unreadable.count > 0 { throw ExitStatus.someSkipped }
    }

    /// One series as printed: header line, one line per rule offered, the destinations.
    static func describe(_ item: SeriesRouter.SeriesRoute) -> String {
        let prediction = item.decision.prediction
        let predicted = prediction.flatMap { $0.abstained ? nil : $0.bodyPart }
        var answer = predicted.map { "\($0) \(String(format: "%.2f", prediction?.confidence ?? 0))" } ?? "the model abstained"
        if predicted == nil, let written = item.decision.newBodyPartExamined, item.decision.kind != .abstained {
            answer += "; routed as \(written), the value written"
        }
        var lines = ["series \(item.seriesInstanceUID) (\(item.modality ?? "?"), \(item.files.count) file\(item.files.count == 1 ? "" : "s")): "
                     + "\(item.decision.kind.rawValue), \(answer)"]
        for rule in item.route.trace {
            lines.append("  \(rule.matched ? "takes " : "passes") \(rule.rule): \(rule.reasons.joined(separator: "; "))")
        }
        if item.route.isDefault { lines.append("  default: no rule took it") }
        let to = item.route.destinations.isEmpty ? "nowhere" : item.route.destinations.joined(separator: ", ")
        lines.append("  → \(item.route.rules.joined(separator: ", ")): \(to)")
        return lines.joined(separator: "\n")
    }
}
