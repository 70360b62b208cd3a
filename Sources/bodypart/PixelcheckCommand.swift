import ArgumentParser
import Foundation
import PixelCheck

/// `bodypart pixelcheck PATH...`: the body region covered by each CT series,
/// estimated from its pixels (Hounsfield units), as JSON lines or a table.
struct PixelcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixelcheck",
        abstract: "Estimate the body part of each CT series from its pixels (no changes are made).",
        discussion: """
            Folders are read recursively and files grouped into series. For each axial CT series \
            the slices are decoded (JPEG, JPEG-LS, RLE, JPEG 2000), converted to HU, reduced to \
            64 x 64 cells and measured (body outline, lung air, bone, skull ring); the regions \
            head, neck, chest, abdomen, pelvis, legs are smoothed along z and the covered range \
            mapped to a defined term. Non-CT, localizer, non-axial and mixed-orientation series \
            get bodyPart null and a reason. See docs/pixelcheck.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, table }

    @Argument(help: "DICOM files or folders.")
    var paths: [String]

    @Option(help: "Output format: jsonl (one object per series) or table.")
    var format: Format = .jsonl

    @Flag(help: "Add every slice (position, region, measurements) to the JSON output.")
    var slices = false

    @Option(help: "Parallel slice reads (default: the number of CPUs).")
    var jobs: Int?

    @Option(help: "Rules folder (for the private dictionary; default: found next to the binary or above the current folder).")
    var rules: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        try ExitStatus.requireInputs(paths)
        try Setup.dicom(rules: rules)
        let scan = PixelSeriesScanner.scan(paths)
        for failure in scan.failures { Console.error(failure.message) }
        let checker = jobs.map { PixelChecker(jobs: $0) } ?? PixelChecker()
        if format == .table {
            Console.out(["SERIES", "BODYPART", "CONF", "FROM", "TO", "Z-FROM", "Z-TO", "SLICES", "SECONDS", "REASON"].joined(separator: "\t"))
        }
        for series in scan.series {
            let result = checker.check(series)
            switch format {
            case .jsonl: Console.out(PixelcheckCommand.json(result, slices: slices).rendered())
            case .table: Console.out(PixelcheckCommand.row(result))
            }
        }
        Console.flush()
        if scan.series.isEmpty && scan.failures.isEmpty {
            Console.error("no DICOM files found under \(paths.joined(separator: " "))")
            throw ExitStatus.noInput
        }
        if !scan.failures.isEmpty { throw ExitStatus.someSkipped }
    }

    static func round(_ x: Double, _ places: Double = 1000) -> JSON { .number((x * places).rounded() / places) }

    static func json(_ r: PixelCheckResult, slices: Bool) -> JSON {
        var pairs: [(String, JSON)] = [
            ("seriesInstanceUID", .string(r.seriesInstanceUID)),
            ("bodyPart", .string(r.bodyPart)),
            ("confidence", round(r.confidence)),
            ("range", r.range.map { .object([("from", .string($0.from.description)), ("to", .string($0.to.description)),
                                             ("zFrom", round($0.zFrom, 10)), ("zTo", round($0.zTo, 10))]) } ?? .null),
            ("regions", .array(r.regions.map {
                .object([("region", .string($0.region.description)), ("zFrom", round($0.zFrom, 10)), ("zTo", round($0.zTo, 10)),
                         ("slices", .int($0.slices)), ("extent", round($0.extent, 10))])
            })),
            ("slices", .int(r.slices)),
            ("seconds", round(r.seconds)),
        ]
        if let reason = r.reason { pairs.append(("reason", .string(reason))) }
        if !r.notes.isEmpty { pairs.append(("notes", .array(r.notes.map { .string($0) }))) }
        if slices {
            pairs.append(("perSlice", .array(r.perSlice.map { s in
                let f = s.features
                return .object([
                    ("z", round(s.z, 10)), ("region", .string(s.region.description)), ("path", .string(s.path)),
                    ("bodyArea", round(f.bodyArea, 10)), ("width", round(f.width, 10)), ("lungShare", round(f.lungShare)),
                    ("boneArea", round(f.boneArea, 10)), ("lateralBoneArea", round(f.lateralBoneArea, 10)),
                    ("ringBone", round(f.ringBone)), ("midline", round(f.midline)), ("largeParts", .int(f.largeParts)),
                    ("largestPart", round(f.largestPart, 10)), ("secondPart", round(f.secondPart, 10)),
                ])
            })))
        }
        return .object(pairs)
    }

    static func row(_ r: PixelCheckResult) -> String {
        func z(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "-" }
        return [r.seriesInstanceUID, r.bodyPart ?? "-", String(format: "%.3f", r.confidence),
                r.range?.from.description ?? "-", r.range?.to.description ?? "-", z(r.range?.zFrom), z(r.range?.zTo),
                String(r.slices), String(format: "%.3f", r.seconds), r.reason ?? ""].joined(separator: "\t")
    }
}
