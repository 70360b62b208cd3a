import Anatomy
import Audit
import BodypartTesting
import Classifier
import DicomCore
import DicomIO
import Foundation
import Testing

@testable import Cleanup

/// The pixel cross-check in `clean`: the combination rules on their own, then
/// real runs on the four complete CT volumes of dicom-dev (one of them with a
/// header rewritten to say HEAD) with a real SQLite audit.
@Suite(.serialized) struct PixelCrossCheckTests {
    static let data = TestEnvironment.dicomDevFiles
    static let wholeBody = "plotly__dash-vtk@46b4801/demos/data/ct_whole_body"
    static let scans = "plotly__dash-vtk@e50bf6d/demos/data/ct_scans"
    static let lung = "plotly__dash-vtk/demos/data/ct_lung"
    static let head = "neurolabusc__dcm_qa_ct/In/GE"

    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static func decider(_ policy: Policy = Policy()) throws -> SeriesDecider {
        let rules = TestEnvironment.rules
        return SeriesDecider(policy: policy, taxonomy: try Taxonomy.load(from: rules.appendingPathComponent("body-parts.yaml")),
                             hanging: try HangingRules.load(from: rules.appendingPathComponent("hanging.yaml")))
    }

    static func prediction(_ part: String, _ confidence: Double, abstained: Bool = false) -> Prediction {
        Prediction(bodyPart: abstained ? nil : part, topClass: part, confidence: confidence, abstained: abstained,
                   alternatives: [], evidence: [], modelID: "test")
    }

    static func pixel(_ part: String?, _ confidence: Double, failed: Bool = false) -> PixelOpinion {
        PixelOpinion(bodyPart: part, confidence: confidence, model: "pixelcheck", reason: part == nil ? "too few slices" : nil,
                     failed: failed)
    }

    @Test func combinationRules() throws {
        let decider = try Self.decider()
        let ct = SeriesMetadata(attributes: ["Modality": "CT", "BodyPartExamined": "CHEST"])
        let bare = SeriesMetadata(attributes: ["Modality": "CT"])
        let confirmed = decider.decide(series: ct, prediction: Self.prediction("CHEST", 0.98))
        #expect(confirmed.kind == .confirmed)

        // Agree (CHEST within CHESTABDPELVIS): stands, source BOTH.
        let both = decider.crossCheck(confirmed, series: ct, pixel: Self.pixel("CHESTABDPELVIS", 0.7))
        #expect(both.kind == .confirmed && both.source == .both && both.disagreement == nil)

        // Disagree, pixel confident: FLAGGED, nothing written, review.
        let filled = decider.decide(series: bare, prediction: Self.prediction("HEAD", 0.9))
        #expect(filled.kind == .filled)
        let flagged = decider.crossCheck(filled, series: bare, pixel: Self.pixel("CHEST", 0.91))
        #expect(flagged.kind == .flagged && flagged.disagreement == true && flagged.source == .metadata)
        #expect(flagged.newBodyPartExamined == nil && flagged.regionTerm == nil)
        #expect(flagged.descriptions["SeriesDescription"] == nil, "no description from a disputed answer")
        #expect(flagged.reason.contains("HEAD") && flagged.reason.contains("CHEST"))

        // Disagree, pixel weak: stands with a note.
        let weak = decider.crossCheck(filled, series: bare, pixel: Self.pixel("CHEST", 0.6))
        #expect(weak.kind == .filled && weak.newBodyPartExamined == "HEAD" && weak.reason.contains("below thresholds.flag"))

        // Pixel abstains or fails: the metadata decision stands, with a note.
        for opinion in [Self.pixel(nil, 0), Self.pixel(nil, 0, failed: true)] {
            let kept = decider.crossCheck(filled, series: bare, pixel: opinion)
            #expect(kept.kind == .filled && kept.newBodyPartExamined == "HEAD" && kept.source == nil)
            #expect(kept.reason.contains(opinion.failed ? "pixel check failed" : "pixel check abstained"))
        }

        // Metadata abstains: the pixels decide alone.
        let unsure = decider.decide(series: bare, prediction: Self.prediction("CHEST", 0.4, abstained: true))
        #expect(unsure.kind == .abstained)
        let byPixel = decider.crossCheck(unsure, series: bare, pixel: Self.pixel("CHEST", 0.92))
        #expect(byPixel.kind == .filled && byPixel.newBodyPartExamined == "CHEST" && byPixel.source == .pixel)
        #expect(byPixel.hangingCategory == "CT CHEST")
        #expect(decider.crossCheck(unsure, series: bare, pixel: Self.pixel("CHEST", 0.7)).kind == .abstained, "below fill")
        let keptUnsure = decider.decide(series: ct, prediction: Self.prediction("NECK", 0.5, abstained: true))
        #expect(decider.crossCheck(keptUnsure, series: ct, pixel: Self.pixel("CHEST", 0.9)).kind == .confirmed)
        let contradicted = decider.crossCheck(keptUnsure, series: ct, pixel: Self.pixel("HEAD", 0.9))
        #expect(contradicted.kind == .flagged && contradicted.source == .pixel && contradicted.disagreement == true)
    }

    /// The private block records both answers; the source says who decided.
    @Test func privateBlockRecordsBothAnswers() throws {
        let decider = try Self.decider()
        let planner = EditPlanner(policy: decider.policy, taxonomy: decider.taxonomy, modelID: "m")
        let bare = SeriesMetadata(attributes: ["Modality": "CT"])
        let flagged = decider.crossCheck(decider.decide(series: bare, prediction: Self.prediction("HEAD", 0.9)), series: bare,
                                         pixel: Self.pixel("CHEST", 0.91))
        var values = planner.privateValues(flagged, dateTime: "20261125000000")
        #expect(values[.predictedBodyPart] == "HEAD" && values[.confidence] == "0.9000")
        #expect(values[.pixelBodyPart] == "CHEST" && values[.pixelConfidence] == "0.9100")
        #expect(values[.source] == "METADATA" && values[.decision] == "FLAGGED")
        let byPixel = decider.crossCheck(decider.decide(series: bare, prediction: Self.prediction("NECK", 0.3, abstained: true)),
                                         series: bare, pixel: Self.pixel("CHEST", 0.92))
        values = planner.privateValues(byPixel, dateTime: "20261125000000")
        #expect(values[.source] == "PIXEL" && values[.predictedBodyPart] == "CHEST" && values[.confidence] == "0.9200")
        #expect(values[.codeValue] != nil)
        #expect(PrivateBlock.Element.pixelBodyPart.vr == .CS && PrivateBlock.Element.pixelConfidence.vr == .DS)
    }

    /// A copy of the chest volume whose header says HEAD everywhere.
    static func lungCalledHead(in folder: URL) throws -> String {
        let target = folder.appendingPathComponent("lung-called-head")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for path in TestEnvironment.files(under: data.appendingPathComponent(lung)) {
            let object = try DicomObject(path: path)
            try object.apply([.set(.bodyPartExamined, .CS, "HEAD"), .set(.seriesDescription, .LO, "HEAD W/O CONTRAST"),
                              .set(.studyDescription, .LO, "CT BRAIN"), .set(Tag(0x0018, 0x1030), .LO, "BRAIN ROUTINE")])
            try AtomicWriter.write(object, to: target.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path,
                                   permissions: 0o644)
        }
        return target.path
    }

    static func options(_ sources: [String], _ output: CleanOutput, pixelModel: Policy.PixelModel? = nil) throws -> CleanOptions {
        let rules = TestEnvironment.rules
        var policy = try PolicyLoader.load(from: rules.appendingPathComponent("policy.yaml"))
        policy.pixelCheck = .always
        policy.pixelModel = pixelModel
        return CleanOptions(
            sources: sources, output: output, jobs: 2, copyOther: false, policy: policy,
            hanging: try HangingRules.load(from: rules.appendingPathComponent("hanging.yaml")),
            taxonomy: try Taxonomy.load(from: rules.appendingPathComponent("body-parts.yaml")),
            model: try BodyPartModel.standard(rulesDirectory: rules.path), commandLine: "test")
    }

    /// The four volumes through `clean --out` with `pixelCheck: always`.
    @Test func fourVolumesCrossChecked() throws {
        let folder = try TestEnvironment.temporaryFolder("pixel-clean")
        defer { TestEnvironment.remove(folder) }
        let called = try Self.lungCalledHead(in: folder)
        let sources = [Self.wholeBody, Self.scans, Self.head].map { Self.data.appendingPathComponent($0).path } + [called]
        let out = folder.appendingPathComponent("out").path
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let summary = try CleanRun(options: Self.options(sources, .directory(out)), store: store).run()
        #expect(summary.pixelChecks == 4 && summary.pixelErrors == 0 && summary.reviewsOpened == 1)
        let decisions = try store.decisions(filter: DecisionFilter(runID: summary.runID))
        let byFiles = Dictionary(uniqueKeysWithValues: decisions.map { ($0.files, $0) })
        // ct_scans (32 files): no BodyPartExamined, metadata unsure, pixels CHEST at 92 %: filled from pixels.
        #expect(byFiles[32]?.kind == .filled && byFiles[32]?.newBodyPartExamined == "CHEST")
        // Filled by the pixels alone, or by both when the metadata model answers too.
        #expect(["PIXEL", "BOTH"].contains { byFiles[32]?.evidenceJSON.contains("\"source\":\"\($0)\"") == true })
        // GE head (28): stored HEAD confirmed by the pixels (and by the metadata model when it is confident).
        #expect(byFiles[28]?.kind == .confirmed)
        #expect(["PIXEL", "BOTH"].contains { byFiles[28]?.evidenceJSON.contains("\"source\":\"\($0)\"") == true })
        // Whole body (68): THYROID is too narrow for a skull-to-thigh PET/CT. Kept when the metadata
        // model is unsure (pixels CHESTABDPELVIS at 68 % is below thresholds.flag); corrected to
        // WHOLEBODY, or flagged, when it answers WHOLEBODY; never confirmed.
        let whole = try #require(byFiles[68])
        #expect([.abstained, .corrected, .flagged].contains(whole.kind), "\(whole.kind)")
        #expect(whole.newBodyPartExamined == (whole.kind == .corrected ? "WHOLEBODY" : nil))
        // The chest volume called HEAD (30): metadata HEAD, pixels CHEST → FLAGGED, BodyPartExamined kept.
        let disputed = try #require(byFiles[30])
        #expect(disputed.kind == .flagged && disputed.newBodyPartExamined == nil)
        let layout = OutputLayout(sources: sources, output: out)
        for file in TestEnvironment.files(under: URL(fileURLWithPath: called)) {
            let after = try HeaderReader().read(layout.destination(for: file)).dataset
            #expect(after.string(.bodyPartExamined) == "HEAD")
            #expect(after[.originalAttributesSequence] == nil, "nothing standard changed")
            let block = PrivateBlock.values(in: after)
            // Whatever the metadata model said (it depends on the shipped model), it is
            // what the decision recorded, and it is not the pixels' CHEST.
            #expect(block[.decision] == "FLAGGED" && block[.predictedBodyPart] == disputed.predictedBodyPart)
            #expect(block[.predictedBodyPart] != "CHEST")
            #expect(block[.pixelBodyPart] == "CHEST" && Double(block[.pixelConfidence] ?? "") ?? 0 > 0.8)
        }
        let scansFile = try #require(TestEnvironment.files(under: Self.data.appendingPathComponent(Self.scans)).first)
        let scansBlock = PrivateBlock.values(in: try HeaderReader().read(layout.destination(for: scansFile)).dataset)
        #expect(["PIXEL", "BOTH"].contains(scansBlock[.source]) && scansBlock[.pixelBodyPart] == "CHEST")

        let queue = try store.reviewQueue()
        #expect(queue.count == 1)
        #expect(queue.first?.seriesInstanceUID == disputed.seriesInstanceUID && queue.first?.state == .open)
        #expect(queue.first?.metadataAnswer == disputed.predictedBodyPart && queue.first?.pixelAnswer == "CHEST")

        // Cleaning the output again changes nothing and opens no second review.
        let again = try CleanRun(options: Self.options([out], .inPlace), store: store).run()
        #expect(again.changes == 0 && again.filesWritten == 0, "\(again.changes) changes")
        #expect(try store.reviews(series: disputed.seriesInstanceUID).count == 1)
        #expect(try store.verify().ok)
    }
}
