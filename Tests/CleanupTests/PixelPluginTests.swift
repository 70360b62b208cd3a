import Anatomy
import Audit
import BodypartTesting
import DicomIO
import Foundation
import Testing

@testable import Cleanup

/// The external pixel-model contract, with real processes: small shell
/// scripts written by the test stand in for a site's model.
@Suite(.serialized) struct PixelPluginTests {
    static let lung = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung")

    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    /// Writes an executable shell script and returns its path.
    static func script(_ body: String, in folder: URL, name: String = "plugin.sh") throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    static func plugin(_ command: String, timeout: Double = 10) throws -> PixelPlugin {
        PixelPlugin(model: Policy.PixelModel(command: command, timeoutSeconds: timeout),
                    taxonomy: try Taxonomy.load(from: TestEnvironment.rules.appendingPathComponent("body-parts.yaml")))
    }

    /// The plug-in gets a folder with exactly the series' files and answers.
    @Test func answerIsRead() throws {
        let folder = try TestEnvironment.temporaryFolder("plugin")
        defer { TestEnvironment.remove(folder) }
        let command = try Self.script("""
            n=0; list=""
            for f in "$1"/*; do test -r "$f" || exit 9; n=$((n+1)); list="$list${list:+,}\\"$(basename "$f")\\""; done
            printf '{"bodyPart":"chest","confidence":0.93,"slices":[%s]}' "$list"
            """, in: folder)
        let files = TestEnvironment.files(under: Self.lung)
        let opinion = try Self.plugin(command).opinion(files: files)
        #expect(!opinion.failed, "\(opinion.reason ?? "")")
        #expect(opinion.bodyPart == "CHEST" && opinion.confidence == 0.93 && opinion.model == command)
        #expect(opinion.detail == "\(files.count) slices")

        let abstains = try Self.script(#"echo '{"bodyPart":null,"confidence":0.2,"reason":"no body found"}'"#, in: folder, name: "null.sh")
        let none = try Self.plugin(abstains).opinion(files: files)
        #expect(none.bodyPart == nil && !none.failed && none.reason == "no body found")
    }

    /// Failures are opinions with a reason, never errors, and never hang.
    @Test(arguments: [
        ("echo hello", "bad answer: not a JSON object ('hello')"),
        (#"echo '{"bodyPart":"SPLEENISH","confidence":0.9}'"#, "is not a defined term"),
        (#"echo '{"bodyPart":"CHEST","confidence":7}'"#, "\"confidence\" must be a number from 0 to 1"),
        (#"echo '{"confidence":0.9}'"#, "no \"bodyPart\""),
        ("echo 'model file missing' >&2; exit 3", "exited with status 3: model file missing"),
        ("sleep 30; echo '{}'", "timed out after 1 s and was killed"),
        ("(sleep 30; echo late) & echo '{\"bodyPart\":\"CHEST\",\"confidence\":0.9}'; wait", "timed out after 1 s"),
        ("kill -9 $$", "was killed by signal 9"),
    ])
    func failures(body: String, expected: String) throws {
        let folder = try TestEnvironment.temporaryFolder("plugin-bad")
        defer { TestEnvironment.remove(folder) }
        let start = ContinuousClock.now
        let opinion = try Self.plugin(try Self.script(body, in: folder), timeout: 1)
            .opinion(files: Array(TestEnvironment.files(under: Self.lung).prefix(3)))
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(opinion.failed && opinion.bodyPart == nil)
        #expect(opinion.reason?.contains(expected) == true, "\(opinion.reason ?? "")")
        #expect(opinion.reason?.contains("\n") == false)
        let missing = try Self.plugin(folder.appendingPathComponent("absent").path).opinion(files: [])
        #expect(missing.failed && missing.reason?.contains("cannot start") == true)
    }

    /// In `clean`: a failing plug-in leaves the metadata decision as it was,
    /// the error is audited and the run finishes; a disagreeing one flags.
    @Test func cleanWithPlugin() throws {
        let folder = try TestEnvironment.temporaryFolder("plugin-clean")
        defer { TestEnvironment.remove(folder) }
        let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
        let baseline = try CleanRun(options: PixelCrossCheckTests.options([Self.lung.path], .dryRun).with(pixelCheck: .never),
                                    store: store).run()
        let metadataOnly = try #require(try store.decisions(filter: DecisionFilter(runID: baseline.runID)).first)

        let slow = Policy.PixelModel(command: try Self.script("sleep 20", in: folder, name: "slow.sh"), timeoutSeconds: 1)
        let failed = try CleanRun(options: PixelCrossCheckTests.options([Self.lung.path], .dryRun, pixelModel: slow),
                                  store: store).run()
        #expect(failed.pixelChecks == 1 && failed.pixelErrors == 1 && failed.skippedTotal == 0)
        let kept = try #require(try store.decisions(filter: DecisionFilter(runID: failed.runID)).first)
        #expect(kept.kind == metadataOnly.kind && kept.newBodyPartExamined == metadataOnly.newBodyPartExamined)
        #expect(kept.reason.contains("pixel check failed") && kept.reason.contains("timed out"))
        let errors = try store.errors(runID: failed.runID)
        #expect(errors.count == 1 && errors.first?.kind == "pixel-model")
        #expect(try store.run(id: failed.runID)?.status == .done)

        let head = Policy.PixelModel(command: try Self.script(#"echo '{"bodyPart":"HEAD","confidence":0.95,"slices":[]}'"#,
                                                              in: folder, name: "head.sh"), timeoutSeconds: 5)
        // A chest volume the metadata model answers CHEST by itself (no BodyPartExamined).
        let chest = TestEnvironment.dicomDevFiles.appendingPathComponent(PixelCrossCheckTests.scans)
        let disputed = try CleanRun(options: PixelCrossCheckTests.options([chest.path], .dryRun, pixelModel: head),
                                    store: store).run()
        #expect(disputed.decisions[.flagged] == 1 && disputed.reviewsOpened == 1)
        let review = try #require(try store.reviewQueue(status: .open).first)
        #expect(review.pixelAnswer == "HEAD" && review.metadataAnswer == "CHEST" && review.pixelModel == head.command)
    }
}

extension CleanOptions {
    /// A copy with another `pixelCheck`.
    func with(pixelCheck: Policy.PixelCheckMode) -> CleanOptions {
        var copy = self
        copy.policy.pixelCheck = pixelCheck
        return copy
    }
}
