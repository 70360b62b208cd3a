import Foundation

/// The prior study a `prior-*` routing row is about, written at the start of
/// the row's detail: `date 20240102, region HEAD: the reason`. The `routings`
/// table (schema v4) has no columns for a prior's date and region; carrying
/// them in the detail shows them on a series' page (console and report)
/// without a schema change (docs/proxy.md, "Priors on a series' page").
/// Rows written before have no note: `init(detail:)` is nil for them.
public struct PriorNote: Sendable, Hashable {
    /// The prior's StudyDate (DA) as the archive gave it; nil: none given.
    public var studyDate: String?
    /// The regions the classifier gave the prior (from its study or its series);
    /// empty when it abstained or was not asked (skipped before).
    public var regions: [String]
    /// What happened, in words.
    public var text: String

    public init(studyDate: String?, regions: [String], text: String) {
        self.studyDate = studyDate
        self.regions = regions
        self.text = text
    }

    /// The row's detail: `date D, region R1/R2: text` (`-` for none).
    public var detail: String {
        "date \(studyDate ?? "-"), region \(regions.isEmpty ? "-" : regions.joined(separator: "/")): \(text)"
    }

    /// Reads a detail written by `detail`; nil for any other text.
    public init?(detail: String) {
        guard detail.hasPrefix("date "), let regionMark = detail.range(of: ", region "),
            let colon = detail.range(of: ": ", range: regionMark.upperBound..<detail.endIndex)
        else { return nil }
        let date = String(detail[detail.index(detail.startIndex, offsetBy: 5)..<regionMark.lowerBound])
        let region = String(detail[regionMark.upperBound..<colon.lowerBound])
        guard !date.contains(" "), !region.contains(" ") else { return nil }
        studyDate = date == "-" ? nil : date
        regions = region == "-" ? [] : region.split(separator: "/").map(String.init)
        text = String(detail[colon.upperBound...])
    }
}
