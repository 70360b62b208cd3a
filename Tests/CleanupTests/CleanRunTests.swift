import Anatomy
import Audit
import BodypartTesting
import Classifier
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup

/// The cleanup run end to end on the real dicom-dev files, with a real
/// SQLite audit: what is written, what is kept, idempotence, revert.
@Suite(.serialized) struct CleanRunTests {
    static let managed: Set<DicomCore.Tag> = [.bodyPartExamined, .anatomicRegionSequence, .studyDescription, .seriesDescription,
                                    .originalAttributesSequence]

    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// A policy that fills at a low confidence, so that every write path runs
    /// (the thresholds of the shipped policy are the model's business).
    static func options(_ sources: [String], _ output: CleanOutput, policy: Policy? = nil) throws -> CleanOptions {
        let rules = TestEnvironment.rules
        var p = try PolicyLoader.load(from: rules.appendingPathComponent("policy.yaml"))
        p.fillThreshold = 0.3
        p.flagThreshold = 0.4
        p.correctThreshold = 0.6
        return CleanOptions(
            sources: sources, output: output, jobs: 2, copyOther: false, policy: policy ?? p,
            hanging: try HangingRules.load(from: rules.appendingPathComponent("hanging.yaml")),
            taxonomy: try Taxonomy.load(from: rules.appendingPathComponent("body-parts.yaml")),
            model: try BodyPartModel.standard(rulesDirectory: rules.path), commandLine: "test")
    }

    /// Elements the policy does not name, without group lengths.
    static func outside(_ set: DataSet) -> [DataElement] {
        DataSetComparison.withoutGroupLengths(set.elements)
            .filter { !managed.contains($0.tag) && $0.tag.group != PrivateBlock.group }
    }

    @Test func cleanOutThenRerunThenRevert() throws {
        let folder = try TestEnvironment.temporaryFolder("clean")
        defer { TestEnvironment.remove(folder) }
        let out = folder.appendingPathComponent("out").path
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let source = TestEnvironment.dicomDevFiles.path
        let summary = try CleanRun(options: Self.options([source], .directory(out)), store: store).run()
        #expect(summary.dicomRead >= 455 && summary.series >= 200)
        #expect((summary.decisions[.filled] ?? 0) >= 10, "\(summary.decisions)")
        #expect(summary.skippedTotal <= 5)

        let layout = OutputLayout(sources: [source], output: out)
        let decisions = Dictionary(uniqueKeysWithValues: try store.decisions(filter: DecisionFilter(runID: summary.runID))
            .map { ($0.seriesInstanceUID, $0) })
        let failed = Set(try store.errors(runID: summary.runID).map(\.path))
        var checked = 0
        for series in SeriesScanner(jobs: 2).scan(paths: [source]).series {
            let decision = try #require(decisions[series.seriesInstanceUID])
            for file in series.files {
                let target = layout.destination(for: file)
                if failed.contains(file) {
                    // Not editable (e.g. garbage after Pixel Data): copied unchanged.
                    #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(contentsOf: URL(fileURLWithPath: file)))
                    continue
                }
                let before = try HeaderReader().read(file).dataset
                let after = try HeaderReader().read(target).dataset
                #expect(Self.outside(after) == Self.outside(before),
                        "untouched elements changed: \(target): \(DataSetComparison.differences(Self.outside(after), Self.outside(before)))")
                // Odd-length fragments are read as stored and written padded (issue 14.5 made this visible).
                #expect(DataSetComparison.samePixels(read: try DicomObject(path: file).pixelDataBytes,
                                                     written: try DicomObject(path: target).pixelDataBytes), "\(file)")
                switch decision.kind {
                case .filled, .normalized, .corrected:
                    #expect(after.string(.bodyPartExamined) == decision.newBodyPartExamined)
                    let code = after.items(.anatomicRegionSequence).first
                    #expect(code?.string(.codingSchemeDesignator) == "SCT" && code?.string(.codeValue) != nil)
                    let original = after.items(.originalAttributesSequence).last
                    #expect(original?.string(.modifyingSystem) == "BODYPART")
                    #expect(original?.items(.modifiedAttributesSequence).first?[.bodyPartExamined] != nil)
                case .skipped:
                    #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(contentsOf: URL(fileURLWithPath: file)))
                default:
                    #expect(after.string(.bodyPartExamined) == before.string(.bodyPartExamined))
                }
                if decision.kind != .skipped {
                    #expect(PrivateBlock.values(in: after)[.decision] == decision.kind.rawValue)
                }
                checked += 1
            }
        }
        #expect(checked >= 455)

        // Cleaning the cleaned tree changes nothing.
        let again = try CleanRun(options: Self.options([out], .inPlace), store: store).run()
        #expect(again.changes == 0 && again.filesWritten == 0, "second run: \(again.changes) changes")

        // Revert restores every element of every file as it was.
        let reverted = try Reverter(store: store, commandLine: "test").revert(runID: summary.runID, series: nil)
        #expect(reverted.failures.isEmpty, "\(reverted.failures.prefix(3))")
        #expect(reverted.filesReverted >= 10)
        for series in SeriesScanner(jobs: 2).scan(paths: [source]).series {
            for file in series.files {
                let before = DataSetComparison.withoutGroupLengths(try HeaderReader().read(file).dataset.elements)
                let after = DataSetComparison.withoutGroupLengths(
                    try HeaderReader().read(layout.destination(for: file)).dataset.elements)
                #expect(after == before, "not restored: \(file): \(DataSetComparison.differences(after, before))")
            }
        }
        #expect(try store.verify().ok)
    }

    /// Idempotence as a property: for random subsets of the samples and
    /// random thresholds, a second run over the output changes nothing.
    @Test func cleaningTwiceChangesNothing() throws {
        var generator = SystemRandomNumberGenerator()
        let samples = TestEnvironment.files(under: TestEnvironment.samples).filter { $0.hasSuffix(".dcm") }
        for round in 0..<4 {
            let folder = try TestEnvironment.temporaryFolder("idem")
            defer { TestEnvironment.remove(folder) }
            let picked = Array(samples.shuffled(using: &generator).prefix(Int.random(in: 3...samples.count, using: &generator)))
            for file in picked {
                try FileManager.default.copyItem(atPath: file, toPath: folder.appendingPathComponent((file as NSString).lastPathComponent).path)
            }
            var policy = try Self.options([], .dryRun).policy
            let fill = Double.random(in: 0...0.9, using: &generator)
            policy.fillThreshold = fill
            policy.flagThreshold = Double.random(in: 0...fill, using: &generator)
            policy.correctThreshold = Double.random(in: max(fill, policy.flagThreshold)...1, using: &generator)
            let store = try AuditStore(path: folder.appendingPathComponent("a.sqlite").path)
            let first = try CleanRun(options: Self.options([folder.path], .inPlace, policy: policy), store: store).run()
            #expect(first.filesWritten > 0, "round \(round): the first run writes the private block at least")
            let second = try CleanRun(options: Self.options([folder.path], .inPlace, policy: policy), store: store).run()
            #expect(second.changes == 0 && second.filesWritten == 0, "round \(round): \(second.changes) changes")
        }
    }
}
