import Foundation
import Testing
@testable import Anatomy

/// Every BodyPartExamined value common in the IDC index must map to a class or be a deliberate unknown.
/// Needs `.data/idc-series.tsv` from `make data` (Scripts/README.md); skipped when it is absent.
struct IDCValuesTests {
    static let table = TestSupport.packageRoot.appendingPathComponent(".data/idc-series.tsv")

    /// Values seen in IDC that are honestly not a body part.
    static let deliberateUnknown: Set<String> = ["", "OTHER", "UNKNOWN", "FUSION", "SEG", "OUTSIDE FIL", "WO INTER", "BODY"]

    @Test(.enabled(if: FileManager.default.fileExists(atPath: table.path),
                   "skipped: .data/idc-series.tsv absent (run `make data`, see Scripts/README.md)"))
    func commonValuesMapToAClass() throws {
        let taxonomy = TestSupport.taxonomy
        let counts = try Self.countBodyParts()
        let classes = Set(taxonomy.classes)
        var report: [String] = ["count\traw\tterm\tmatched\tkind"]
        var perClass: [String: Int] = [:]
        for (raw, count) in counts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            let n = taxonomy.normalize(raw)
            perClass[n.term ?? (raw.isEmpty ? "(empty)" : "(unknown)"), default: 0] += count
            report.append("\(count)\t\(raw)\t\(n.term ?? "-")\t\(n.matched ?? "-")\t\(n.kind.rawValue)")
            guard count >= 20 else { continue }
            if Self.deliberateUnknown.contains(raw) {
                #expect(n.term == nil, "\(raw) should stay unknown, got \(n.term ?? "nil")")
            } else {
                #expect(n.term.map(classes.contains) == true, "\(raw) (\(count) series) → \(n.term ?? "nil")")
            }
        }
        if let dir = ProcessInfo.processInfo.environment["ANATOMY_IDC_REPORT"] {
            let url = URL(fileURLWithPath: dir)
            try report.joined(separator: "\n").appending("\n")
                .write(to: url.appendingPathComponent("idc-bpe-mapping.tsv"), atomically: true, encoding: .utf8)
            let classLines = perClass.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value)\t\($0.key)" }
            try (["count\tclass"] + classLines).joined(separator: "\n").appending("\n")
                .write(to: url.appendingPathComponent("idc-class-counts.tsv"), atomically: true, encoding: .utf8)
        }
    }

    /// Raw BodyPartExamined value → number of series.
    static func countBodyParts() throws -> [String: Int] {
        let text = try String(contentsOf: table, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next() else { return [:] }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false)
        let index = try #require(columns.firstIndex(of: "body_part_examined"), "no body_part_examined column")
        var counts: [String: Int] = [:]
        while let line = lines.next() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > index else { continue }
            counts[String(fields[index]), default: 0] += 1
        }
        return counts
    }
}
