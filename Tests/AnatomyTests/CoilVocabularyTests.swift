import Foundation
import Testing
@testable import Anatomy

/// The dedicated MR receive coils of `body-parts.yaml` (`coils`): which names say a region.
@Suite("CoilVocabulary")
struct CoilVocabularyTests {
    let coils = TestSupport.taxonomy.coils

    @Test("dedicated coils name their region, whatever the vendor's spelling")
    func dedicated() {
        #expect(coils.region(of: "32Ch Head") == "HEAD")
        #expect(coils.region(of: "Head_32") == "HEAD")
        #expect(coils.region(of: "8HRBRAIN") == "HEAD")
        #expect(coils.region(of: "HD TRknee PA") == "KNEE")
        #expect(coils.region(of: "Breast 16") == "BREAST")
        #expect(coils.region(of: "Shoulder_16") == "SHOULDER")
        #expect(coils.confidence > 0 && coils.confidence <= 1)
    }

    @Test("multi-region arrays, two regions in one name, and unknown coils say nothing")
    func silent() {
        for name in ["HeadNeck_20", "HEA;HEP;NE1;NE2", "Body", "BODY_FULL", "Spine_32", "HNS CTL456", "Flex Small",
                     "Foot/Ankle", "Hand-Wrist", "SENSE-Cardiac", "C:BO1,2;SP3", "", "Q-body"] {
            #expect(coils.region(of: name) == nil, "\(name)")
        }
    }

    @Test("a coil region that is not a class, or regions without a confidence, are refused with their key")
    func loaderChecks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coils-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("body-parts.yaml")
        let head = """
        classes: [HEAD]
        terms:
          HEAD: {code: "69536005", meaning: Head, region: HEAD, source: L-1}

        """
        func refused(_ coils: String, key: String) throws -> Bool {
            try (head + coils).write(to: url, atomically: true, encoding: .utf8)
            do { _ = try Taxonomy.load(from: url); return false } catch let TaxonomyError.invalid(_, _, k, _) { return k == key }
        }
        #expect(try refused("coils:\n  confidence: 0.9\n  regions:\n    KNEE: [KNEE]\n", key: "coils.regions"))
        #expect(try refused("coils:\n  regions:\n    HEAD: [HEAD]\n", key: "coils.confidence"))
        #expect(try refused("coils:\n  confidence: 2\n", key: "coils.confidence"))
        try (head + "coils:\n  confidence: 0.9\n  regions:\n    HEAD: [head]\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(try Taxonomy.load(from: url).coils.region(of: "32ch HEAD") == "HEAD")
        try head.write(to: url, atomically: true, encoding: .utf8)
        #expect(try Taxonomy.load(from: url).coils.region(of: "Head") == nil)
    }
}
