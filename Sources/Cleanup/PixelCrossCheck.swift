import Anatomy
import Foundation
import PixelCheck

/// Gets the pixel opinion on a series for the cross-check of `clean`: from
/// the policy's external `pixelModel` when there is one, else from the
/// built-in CT pixel check (Sources/PixelCheck). Never throws.
public struct PixelCrossCheck: Sendable {
    public let policy: Policy
    public let taxonomy: Taxonomy
    /// Parallel slice reads of the built-in check.
    public var jobs: Int

    /// The built-in model's name in the audit and the private block.
    public static let builtInModel = "pixelcheck"

    public init(policy: Policy, taxonomy: Taxonomy, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.policy = policy
        self.taxonomy = taxonomy
        self.jobs = max(1, jobs)
    }

    /// The opinion on the series `seriesInstanceUID` made of `files`.
    /// Paths in its reason are cut to file names: the reason goes into the
    /// private block, which must not change when the same series is cleaned
    /// again from another folder (idempotence).
    public func opinion(files: [String], seriesInstanceUID: String) -> PixelOpinion {
        var opinion = ask(files: files, seriesInstanceUID: seriesInstanceUID)
        if var reason = opinion.reason {
            for file in files where reason.contains(file) {
                reason = reason.replacingOccurrences(of: file, with: (file as NSString).lastPathComponent)
            }
            opinion.reason = reason
        }
        return opinion
    }

    private func ask(files: [String], seriesInstanceUID: String) -> PixelOpinion {
        if let model = policy.pixelModel {
            return PixelPlugin(model: model, taxonomy: taxonomy).opinion(files: files)
        }
        let scan = PixelSeriesScanner.scan(files)
        guard let series = scan.series.first(where: { $0.seriesInstanceUID == seriesInstanceUID }) ?? scan.series.first else {
            return PixelOpinion(bodyPart: nil, confidence: 0, model: Self.builtInModel,
                                reason: scan.failures.first?.message ?? "no readable slice")
        }
        let result = PixelChecker(jobs: jobs).check(series)
        var detail = "\(result.slices) slices"
        if let range = result.range {
            detail = "\(range.from) → \(range.to) (z \(Int(range.zFrom.rounded())) → \(Int(range.zTo.rounded())) mm), " + detail
        }
        return PixelOpinion(bodyPart: result.bodyPart, confidence: result.confidence, model: Self.builtInModel,
                            reason: result.reason, detail: detail)
    }
}
