import Anatomy
import Audit
import Classifier
import Foundation

/// Where `clean` writes.
public enum CleanOutput: Sendable, Hashable {
    /// Write nothing but the audit run (marked dry-run).
    case dryRun
    /// Mirror the source tree into this folder.
    case directory(String)
    /// Replace each file atomically, keeping its permissions.
    case inPlace

    /// The audit's mode of the run.
    public var mode: RunMode {
        switch self {
        case .dryRun: .dryRun
        case .directory: .out
        case .inPlace: .inPlace
        }
    }
}

/// Everything a cleanup run needs.
public struct CleanOptions: Sendable {
    public var sources: [String]
    public var output: CleanOutput
    public var jobs: Int
    /// Copy non-DICOM files into the output folder too.
    public var copyOther: Bool
    public var policy: Policy
    public var hanging: HangingRules
    public var taxonomy: Taxonomy
    public var model: BodyPartModel
    /// The command line, for the audit.
    public var commandLine: String
    /// Files written per batch (one sync per batch).
    public var batchSize = 64
    /// Parsed objects the scan keeps for the write (each file then parsed
    /// once; ParsedObjects). 0 parses every file again at the write.
    public var keepParsed = 4096

    public init(sources: [String], output: CleanOutput, jobs: Int, copyOther: Bool, rules: FilterRules, commandLine: String) {
        self.init(sources: sources, output: output, jobs: jobs, copyOther: copyOther, policy: rules.policy, hanging: rules.hanging,
                  taxonomy: rules.taxonomy, model: rules.model, commandLine: commandLine)
    }

    public init(sources: [String], output: CleanOutput, jobs: Int, copyOther: Bool, policy: Policy, hanging: HangingRules,
                taxonomy: Taxonomy, model: BodyPartModel, commandLine: String) {
        self.sources = sources
        self.output = output
        self.jobs = max(1, jobs)
        self.copyOther = copyOther
        self.policy = policy
        self.hanging = hanging
        self.taxonomy = taxonomy
        self.model = model
        self.commandLine = commandLine
    }
}

/// What a run did, for the summary line and the audit's run counts.
public struct CleanSummary: Sendable {
    public var runID: Int64 = 0
    public var resumed = false
    public var filesSeen = 0
    public var dicomRead = 0
    public var series = 0
    public var decisions: [DecisionKind: Int] = [:]
    public var filesWritten = 0
    public var filesUnchanged = 0
    /// Files already finished by an earlier attempt of the same job.
    public var filesAlreadyDone = 0
    public var changes = 0
    /// Skipped files by reason kind (`not-dicom`, `truncated`, `write`…).
    public var skipped: [String: Int] = [:]
    /// Series cross-checked against their pixels; pixel models that failed;
    /// disagreements sent to the review queue.
    public var pixelChecks = 0
    public var pixelErrors = 0
    public var reviewsOpened = 0
    public var interrupted = false
    public var elapsed: Double = 0

    public var skippedTotal: Int { skipped.values.reduce(0, +) }

    /// The counts stored with the run in the audit.
    public var counts: [String: Int] {
        var c: [String: Int] = ["filesSeen": filesSeen, "dicomRead": dicomRead, "series": series,
                                "filesWritten": filesWritten, "filesUnchanged": filesUnchanged,
                                "filesAlreadyDone": filesAlreadyDone, "changes": changes, "skipped": skippedTotal,
                                "pixelChecks": pixelChecks, "pixelErrors": pixelErrors, "reviewsOpened": reviewsOpened]
        for (kind, n) in decisions { c["decision." + kind.rawValue] = n }
        for (kind, n) in skipped { c["skipped." + kind] = n }
        return c
    }
}

/// Progress reported while a run goes on.
public struct CleanProgress: Sendable {
    public enum Phase: String, Sendable { case scanning, writing }
    public var phase: Phase
    public var filesDone: Int
    public var filesTotal: Int?
    public var series: Int
    public var elapsed: Double
}
