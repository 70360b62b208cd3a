import Anatomy
import ArgumentParser
import Audit
import Classifier
import Cleanup
import DicomIO
import Foundation

/// `bodypart clean`: the bulk cleanup run over files on disk.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Fix BodyPartExamined and enrich DICOM files on disk, by the policy, with an audit of every change.",
        discussion: """
            Reads every header under SOURCE (recursively), groups instances into series, predicts each \
            series' body part once, decides by the policy (Rules/policy.yaml) and writes every instance \
            of the series the same way. Choose exactly one of --out DIR (mirror the tree; unchanged files \
            are copied), --in-place (atomic replace, permissions kept) or --dry-run (write nothing but \
            the audit run). Stopping the run (Ctrl-C, kill) and giving the same command again finishes \
            the job without changing any file twice. Bad files are skipped with a reason. CT series the \
            policy's pixelCheck selects are cross-checked against their pixels; disagreements are \
            FLAGGED and listed by `bodypart review list`.
            """
    )

    @Argument(help: "DICOM files or folders.")
    var sources: [String]

    @Option(help: "Write the cleaned tree into this folder (created if missing).")
    var out: String?

    @Flag(help: "Replace the files in place, atomically.")
    var inPlace = false

    @Flag(help: "Change nothing; record and print what would change.")
    var dryRun = false

    @Option(help: "Audit database (default: bodypart-audit.sqlite inside the --out folder, else in the current folder).")
    var audit: String?

    @Option(help: ArgumentHelp("Parallel jobs (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @OptionGroup var filter: RulesOptions

    @Flag(help: "If another bodypart run holds the audit file or the target folder, wait for it (default: exit 75 at once).")
    var wait = false

    @Flag(help: "With --out, copy non-DICOM files too.")
    var copyOther = false

    @Flag(help: "Print one line per series decision.")
    var verbose = false

    @Option(help: ArgumentHelp(
        "Files whose parsed object the scan keeps for the write, so that each is parsed once (about 32 KiB each, Pixel Data stays on disk); 0 parses every file again at the write.",
        valueName: "n"))
    var keepParsed = 4096

    func validate() throws {
        let chosen = [out != nil, inPlace, dryRun].filter { $0 }.count
        if chosen != 1 { throw ValidationError("choose exactly one of --out DIR, --in-place, --dry-run") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if keepParsed < 0 { throw ValidationError("--keep-parsed must be 0 or more") }
        if sources.isEmpty { throw ValidationError("give at least one file or folder") }
    }

    func run() throws {
        try ExitStatus.requireInputs(sources)
        try Setup.dicom(rules: filter.rules)
        let rulesValue = try filter.load()
        let output: CleanOutput = out.map { .directory($0) } ?? (inPlace ? .inPlace : .dryRun)
        if let out {
            do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                Console.error("\(out): cannot create the output folder (\(error.localizedDescription))")
                throw ExitStatus.cannotCreate
            }
            try ExitStatus.requireWritableFolder(out)
        }
        let auditPath = audit ?? (out.map { ($0 as NSString).appendingPathComponent("bodypart-audit.sqlite") } ?? "bodypart-audit.sqlite")
        // One writer per audit file and target tree, taken before the audit is opened.
        let trees: [String] = out.map { [$0] } ?? (inPlace ? sources : [])
        let lock = try CleanCommand.lock(audit: auditPath, trees: trees, wait: wait)
        defer { withExtendedLifetime(lock) {} }
        let store = try CleanCommand.openAudit(auditPath)
        var options = CleanOptions(sources: sources, output: output, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                   copyOther: copyOther, rules: rulesValue,
                                   commandLine: (["bodypart"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        options.keepParsed = keepParsed
        let display = ProgressDisplay()
        let run = CleanRun(options: options, store: store) { progress in
            display.update(label: progress.phase == .scanning ? "scanning" : "writing", done: progress.filesDone,
                           total: progress.filesTotal, extra: "\(progress.series) series")
        }
        let stopper = SignalStopper { run.requestStop() }
        let summary: CleanSummary
        do { summary = try run.run() } catch {
            display.finish()
            Console.error("\(error)")
            throw ExitStatus.code(for: error)
        }
        _ = stopper
        display.finish()
        // Every skipped file by name, with its reason (not only with --verbose).
        for error in (try? store.errors(runID: summary.runID)) ?? [] { Console.error(error.message) }
        CleanCommand.printSummary(summary, auditPath: auditPath, dryRun: dryRun)
        store.checkpoint()
        AuditHead.publish(store, path: auditPath)
        if dryRun || verbose {
            for decision in try store.decisions(filter: DecisionFilter(runID: summary.runID)) {
                Console.out([decision.kind.rawValue, decision.modality ?? "-", decision.currentBodyPartExamined ?? "-",
                             "->", decision.newBodyPartExamined ?? "(kept)", decision.seriesInstanceUID, decision.reason]
                    .joined(separator: "\t"))
            }
        }
        Console.flush()
        if summary.interrupted { throw ExitStatus.interrupted }
        if summary.dicomRead == 0 && summary.filesAlreadyDone == 0 {
            Console.error("no DICOM files found under \(sources.joined(separator: " "))")
            throw ExitStatus.noInput
        }
        // Non-DICOM files (reports, DICOMDIR, thumbnails) are normal in an archive:
        // reported, not an error. DICOM files that could not be handled are.
        if summary.skippedTotal - (summary.skipped["not-dicom"] ?? 0) > 0 { throw ExitStatus.someSkipped }
    }

    static func openAudit(_ path: String) throws -> AuditStore {
        do { return try AuditStore(path: path) } catch {
            Console.error(error.description)
            throw ExitStatus.cannotCreate
        }
    }

    /// Takes the run's locks; another run holding one is one line and exit
    /// 75 (or, with `wait`, a note and a wait).
    static func lock(audit: String, trees: [String], wait: Bool) throws -> RunLock {
        do {
            return try RunLock.acquire(audit: audit, trees: trees, wait: false)
        } catch {
            if case .inUse = error, wait {
                Console.status("bodypart: \(error); waiting\n")
                do { return try RunLock.acquire(audit: audit, trees: trees, wait: true) } catch {
                    Console.error(error.description)
                    throw ExitStatus.ioError
                }
            }
            Console.error(error.description)
            if case .inUse = error { throw ExitStatus.busy }
            throw ExitStatus.cannotCreate
        }
    }

    static func printSummary(_ s: CleanSummary, auditPath: String, dryRun: Bool) {
        let decisions = DecisionKind.allCases.compactMap { kind in s.decisions[kind].map { "\(kind.rawValue.lowercased()) \($0)" } }
        let skipped = s.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let rate = s.elapsed > 0 ? Double(s.filesWritten + s.filesUnchanged) / s.elapsed : 0
        var lines = [
            "run \(s.runID)\(s.resumed ? " (resumed)" : "")\(s.interrupted ? " INTERRUPTED: run the same command again to finish" : "")",
            "files seen \(s.filesSeen), DICOM read \(s.dicomRead), series \(s.series)",
            "decisions: \(decisions.isEmpty ? "none" : decisions.joined(separator: ", "))",
            dryRun ? "changes that would be made: \(s.changes) (nothing written)"
                : "files written \(s.filesWritten) (\(s.changes) attribute changes), unchanged \(s.filesUnchanged), already done \(s.filesAlreadyDone)",
            "pixel checks \(s.pixelChecks)\(s.pixelErrors > 0 ? " (\(s.pixelErrors) failed, audited)" : ""), reviews opened \(s.reviewsOpened)",
            "skipped \(s.skippedTotal)\(skipped.isEmpty ? "" : " (" + skipped.joined(separator: ", ") + ")")",
            String(format: "elapsed %.1f s, %.0f files/s; audit %@", s.elapsed, rate, auditPath),
        ]
        lines = lines.map { "bodypart: " + $0 }
        Console.status(lines.joined(separator: "\n") + "\n")
    }
}
