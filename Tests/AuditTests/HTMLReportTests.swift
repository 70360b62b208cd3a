@testable import Audit
import BodypartTesting
import Foundation
import Testing

/// The HTML report: one self-contained file whose counts a real browser sees.
@Suite struct HTMLReportTests {
    static func report() throws -> (TempStore, String) {
        let temp = try TempStore()
        let runID = try Sample.fill(temp.store)
        let html = try HTMLReport.load(from: temp.store, runID: runID).render()
        return (temp, html)
    }

    @Test func selfContainedWithCountCellsAndAnchors() throws {
        let (temp, html) = try Self.report()
        defer { temp.remove() }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("http://") && !html.contains("https://"), "no network resources")
        #expect(!html.contains("<script src") && !html.contains("<link") && !html.contains("@import"))
        #expect(html.contains("<td id=\"count-FILLED\" data-count=\"3\">3</td>"))
        #expect(html.contains("<td id=\"count-FLAGGED\" data-count=\"1\">1</td>"))
        #expect(html.contains("<td id=\"count-CORRECTED\" data-count=\"0\">0</td>"))
        #expect(html.contains("<td id=\"total-series\" data-count=\"7\">"))
        #expect(html.contains("<td id=\"total-attention\" data-count=\"2\">"), "FLAGGED 0.72 and ABSTAINED 0.31")
        #expect(html.contains("data-from=\"L_SPINE\" data-to=\"LSPINE\" data-count=\"2\""))
        #expect(html.contains("data-from=\"(missing)\" data-to=\"CHEST\" data-count=\"3\""))
        #expect(html.contains("data-bin=\"9\" data-count=\"3\""))
        // Every link to a series detail has its target.
        let links = Self.matches(##"href="#(series-[^"]+)""##, in: html)
        #expect(links.count == 2)
        for link in links { #expect(html.contains("id=\"\(link)\"")) }
        // Database text is escaped.
        #expect(html.contains("ABDOMEN contradicted by HEAD &lt;below correction threshold&gt;"))
        #expect(!html.contains("<below"))
    }

    /// A series the proxy routed shows its route and priors in its section, drawn as the console draws them.
    @Test func routedSeriesShowsItsRouteAndPriors() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try Sample.fill(temp.store)
        let note = PriorNote(studyDate: "19910301", regions: ["HEAD"], text: "C-MOVE done")
        try temp.store.append(decisions: [], changes: [], errors: [], progress: [], routings: [
            RoutingRecord(runID: runID, kind: "route", studyInstanceUID: "1.2.5", seriesInstanceUID: "1.2.5.9", rule: "brain",
                          destination: "APP@h:1", detail: "brain: HEAD"),
            RoutingRecord(runID: runID, kind: "prior-move", studyInstanceUID: "1.2.5", seriesInstanceUID: "1.2.5.9", rule: "brain",
                          destination: "APP@h:1", priorStudyInstanceUID: "9.1", status: "success", detail: note.detail),
        ])
        let html = try HTMLReport.load(from: temp.store, runID: runID).render()
        #expect(html.contains("<ul id=\"routes-taken\" data-count=\"1\"><li data-rule=\"brain\""), "\(html)")
        #expect(html.contains("data-prior=\"9.1\" data-state=\"moved\" data-date=\"19910301\" data-region=\"HEAD\""))
        #expect(html.components(separatedBy: "id=\"routes-taken\"").count == 2, "only the routed series")
    }

    /// Renders the file in headless Chromium and reads the counts from the DOM it built.
    @Test(.timeLimit(.minutes(2))) func chromiumRendersTheCounts() throws {
        let chromium = TestEnvironment.which("chromium") ?? TestEnvironment.which("chromium-browser")
        guard let chromium else {
            Issue.record("chromium is not installed: run `make test-deps` (it installs the TEST_PACKAGES, chromium among them)")
            return
        }
        let (temp, html) = try Self.report()
        defer { temp.remove() }
        let file = temp.folder.appendingPathComponent("report.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let result = try TestEnvironment.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(temp.folder.appendingPathComponent("profile").path)",
            "--dump-dom", file.absoluteString,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let dom = result.stdout
        let counts = Dictionary(uniqueKeysWithValues: Self.pairs(#"<td id="count-([A-Z]+)" data-count="(\d+)""#, in: dom))
        #expect(counts == ["FILLED": "3", "NORMALIZED": "2", "CORRECTED": "0", "CONFIRMED": "0", "ABSTAINED": "1",
                           "FLAGGED": "1", "SKIPPED": "0"])
        #expect(dom.contains("<td id=\"total-changes\" data-count=\"4\">4</td>"))
        #expect(dom.contains("<svg class=\"histogram\""))
        #expect(Self.matches(#"<section class="series" id="(series-[^"]+)""#, in: dom).count == 2)
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        pairs(pattern, in: text).map(\.0)
    }

    static func pairs(_ pattern: String, in text: String) -> [(String, String)] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            let first = ns.substring(with: match.range(at: 1))
            let second = match.numberOfRanges > 2 ? ns.substring(with: match.range(at: 2)) : ""
            return (first, second)
        }
    }
}

extension HTMLReportTests {
    /// Open reviews are listed with both answers; settled ones are not.
    @Test func openReviewsSection() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try Sample.fill(temp.store)
        let empty = try HTMLReport.load(from: temp.store, runID: runID).render()
        #expect(empty.contains("<section id=\"reviews\">") && empty.contains("None open."))
        #expect(empty.contains("<td id=\"total-reviews\" data-count=\"0\">"))
        try temp.store.append(decisions: [], changes: [], errors: [], progress: [], reviews: [
            ReviewQueueTests.opening(runID: runID), ReviewQueueTests.opening(runID: runID, series: "1.2.7<x>"),
        ])
        try temp.store.recordReview(series: "1.2.7<x>", status: .rejected, label: "HEAD", reviewer: "r", note: nil)
        let html = try HTMLReport.load(from: temp.store, runID: runID).render()
        #expect(html.contains("<td id=\"total-reviews\" data-count=\"1\">"))
        #expect(html.contains("<tr id=\"review-1.2.5.9\" data-status=\"open\" data-metadata=\"HEAD\" data-pixel=\"CHEST\">"))
        #expect(!html.contains("1.2.7&lt;x&gt;"), "a settled review is not listed")
        let other = try temp.store.startRun(Sample.run(jobKey: "job-2"))
        #expect(try HTMLReport.load(from: temp.store, runID: other).reviews.isEmpty, "another run's reviews are not listed")
        #expect(try HTMLReport.load(from: temp.store, runID: nil).reviews.count == 1)
    }

    /// Previews passed in by the caller: linked by relative, percent-encoded
    /// paths with their sizes; a missing picture is said in words; a review
    /// without previews shows none; database text is escaped.
    @Test func reviewPreviews() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        let runID = try Sample.fill(temp.store)
        try temp.store.append(decisions: [], changes: [], errors: [], progress: [], reviews: [
            ReviewQueueTests.opening(runID: runID), ReviewQueueTests.opening(runID: runID, series: "1.2.7<x>"),
        ])
        var report = try HTMLReport.load(from: temp.store, runID: runID)
        #expect(!report.render().contains("class=\"previews\""))
        report.previews["1.2.5.9"] = ReviewPreviews(pictures: [
            .init(view: "mid", title: "mid slice", path: "my report-previews/1.2.5.9#-mid.png", width: 256, height: 200,
                  caption: "slice 3 of 5 <soft>"),
            .init(view: "coronal", title: "coronal reformat", path: nil, caption: "single slice"),
        ])
        report.previews["1.2.7<x>"] = ReviewPreviews(pictures: [], note: "the 4 file(s) recorded for this series are no longer present")
        let html = report.render()
        #expect(html.contains("<div class=\"previews\" id=\"previews-1.2.5.9\" data-series=\"1.2.5.9\">"))
        #expect(html.contains("<figure data-view=\"mid\"><img src=\"my%20report-previews/1.2.5.9%23-mid.png\" width=\"256\" height=\"200\""))
        #expect(html.contains("<figcaption>mid slice: slice 3 of 5 &lt;soft&gt;</figcaption>"))
        #expect(html.contains("<p class=\"muted\" data-view=\"coronal\" data-preview=\"missing\">No coronal reformat: single slice</p>"))
        #expect(html.contains("data-series=\"1.2.7&lt;x&gt;\"><h3>1.2.7&lt;x&gt;</h3><p class=\"muted\" data-preview=\"missing\">the 4 file(s)"))
        #expect(HTMLReport.urlPath("a b/ü%.png") == "a%20b/%C3%BC%25.png")
    }
}
