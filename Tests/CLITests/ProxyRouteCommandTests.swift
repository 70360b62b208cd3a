import BodypartTesting
import Foundation
import Testing

/// `bodypart proxy route`: the rule tester on files on disk, sending nothing.
@Suite struct ProxyRouteCommandTests {
    static let config = "Tests/CLITests/Golden/proxy-routes.yaml"

    @Test func samplesMatchGoldenOutput() throws {
        let result = try TestEnvironment.bodypart(["proxy", "route", "--config", Self.config] + ClassifyCommandTests.samples)
        #expect(result.status == 0, "\(result.stderr)")
        let golden = TestEnvironment.packageRoot.appendingPathComponent("Tests/CLITests/Golden/proxy-route-samples.txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(result.stdout == expected, "golden changes with the model: UPDATE_GOLDEN=1 after retraining")
        // One block per sample series, each ending in its destinations.
        let samples = ClassifyCommandTests.samples
        #expect(result.stdout.components(separatedBy: "\nseries ").count == samples.count)
        #expect(result.stdout.components(separatedBy: "\n  → ").count - 1 == samples.count)
        // A plain film goes by its Modality; a series the model does not answer by the default route.
        #expect(result.stdout.contains("takes  plain-films: ✓ Modality 'CR' matches /^(CR|DX)$/"))
        #expect(result.stdout.contains("  default: no rule took it\n  → default: PACS@127.0.0.1:11003"))
    }

    @Test func checkPrintsTheRoutes() throws {
        let result = try TestEnvironment.bodypart(["proxy", "--check", "--config", Self.config, "--port", "1",
                                                   "--spool", FileManager.default.temporaryDirectory.appendingPathComponent("route-check-spool").path])
        #expect(result.stdout.contains("route chest-ct: bodyPart in [CHEST] and confidence ≥ 0.9 and Modality in [CT] → CHEST_APP, PACS"),
                "\(result.stdout)")
        #expect(result.stdout.contains("route head: bodyPart in [HEADNECK] → BRAIN_APP, PACS (stop)"), "\(result.stdout)")
        #expect(result.stdout.contains("route default: what no rule took → PACS"), "\(result.stdout)")
    }

    @Test func noSuchFileAndNoRoutesAreErrors() throws {
        let missing = try TestEnvironment.bodypart(["proxy", "route", "--config", Self.config, "no-such-folder"])
        #expect(missing.status == 66, "\(missing.stderr)")
        let folder = try TestEnvironment.temporaryFolder("route-none")
        defer { TestEnvironment.remove(folder) }
        let plain = folder.appendingPathComponent("plain.yaml").path
        try "destinations: [PACS@127.0.0.1:104]\n".write(toFile: plain, atomically: true, encoding: .utf8)
        let none = try TestEnvironment.bodypart(["proxy", "route", "--config", plain, "Samples"])
        #expect(none.status == 65)
        #expect(none.stderr.contains("no routes"), "\(none.stderr)")
    }
}
