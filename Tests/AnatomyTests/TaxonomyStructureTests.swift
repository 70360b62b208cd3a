import Foundation
import Testing
@testable import Anatomy

/// Checks on the content of `Rules/body-parts.yaml` and on loading errors.
struct TaxonomyStructureTests {
    let taxonomy = TestSupport.taxonomy

    @Test func requiredClassesPresent() {
        let required = ["HEAD", "BRAIN", "HEADNECK", "NECK", "CSPINE", "TSPINE", "LSPINE", "SSPINE", "SPINE", "CHEST",
                        "BREAST", "HEART", "ABDOMEN", "PELVIS", "CHESTABDOMEN", "ABDOMENPELVIS", "CHESTABDPELVIS",
                        "WHOLEBODY", "SHOULDER", "ARM", "ELBOW", "HAND", "WRIST", "HIP", "LEG", "KNEE", "ANKLE", "FOOT", "EXTREMITY"]
        for name in required { #expect(taxonomy.classes.contains(name), "missing class \(name)") }
    }

    @Test func everyClassHasSnomedCodeAndMapsToItself() throws {
        for name in taxonomy.classes {
            let term = try #require(taxonomy.term(name), "class \(name) has no term")
            #expect(!term.snomedCode.isEmpty && term.snomedCode.allSatisfy(\.isNumber), "\(name): \(term.snomedCode)")
            #expect(!term.codeMeaning.isEmpty)
            #expect(term.region == name)
        }
    }

    @Test func everyTermRegionIsAClass() {
        let classes = Set(taxonomy.classes)
        let nonLocalizing = Set(["ARTERY", "VEIN", "LUMEN", "ENDOVASCULAR", "JOINT"])
        for term in taxonomy.allTerms {
            if nonLocalizing.contains(term.definedTerm) {
                #expect(term.region.isEmpty)
            } else {
                #expect(classes.contains(term.region), "\(term.definedTerm) → \(term.region)")
            }
            #expect(["L-1", "extended", "project"].contains(term.source))
        }
    }

    @Test func everyRowOfTheSourceTableIsATerm() throws {
        let url = TestSupport.sharedData.appendingPathComponent("body-part-terms.tsv")
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: .newlines).filter { !$0.isEmpty }.dropFirst()
        #expect(lines.count >= 300)
        for line in lines {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let term = try #require(taxonomy.term(cols[0]), "\(cols[0]) missing")
            #expect(term.snomedCode == cols[1], "\(cols[0]) code")
            #expect(term.codeMeaning == cols[2], "\(cols[0]) meaning")
            #expect(term.source == (cols[3].contains("L-1") ? "L-1" : "extended"), "\(cols[0]) source")
        }
    }

    @Test(arguments: [("PROSTATE", "PELVIS"), ("KIDNEY", "ABDOMEN"), ("LUNG", "CHEST"), ("LIVER", "ABDOMEN"),
                      ("THYROID", "NECK"), ("AORTA", "CHEST"), ("COLON", "ABDOMEN"), ("BLADDER", "PELVIS"),
                      ("OVARY", "PELVIS"), ("UTERUS", "PELVIS"), ("THIGH", "LEG"), ("CALF", "LEG"), ("SKULL", "HEAD"),
                      ("COCCYX", "SSPINE"), ("LSSPINE", "LSPINE"), ("FINGER", "HAND"), ("BRAIN", "BRAIN")])
    func organToRegion(term: String, region: String) {
        #expect(taxonomy.term(term)?.region == region)
    }

    @Test func brainIsItsOwnClassWithSnomedCode() {
        #expect(taxonomy.term("BRAIN")?.snomedCode == "12738006")
        #expect(taxonomy.areEquivalent("HEAD", "BRAIN"))
        #expect(taxonomy.areEquivalent("BRAIN", "HEAD"))
        #expect(taxonomy.areEquivalent("CHEST", "CHEST"))
        #expect(taxonomy.areEquivalent("LUNG", "CHEST"))
        #expect(!taxonomy.areEquivalent("HEAD", "NECK"))
    }

    @Test func containment() {
        #expect(taxonomy.contains("CHESTABDPELVIS", "CHEST"))
        #expect(taxonomy.contains("CHESTABDPELVIS", "ABDOMENPELVIS"))
        #expect(taxonomy.contains("HEADNECK", "BRAIN"))
        #expect(taxonomy.contains("WHOLEBODY", "KNEE"))
        #expect(taxonomy.contains("SPINE", "LSPINE"))
        #expect(!taxonomy.contains("CHEST", "CHEST"))
        #expect(!taxonomy.contains("CHEST", "CHESTABDPELVIS"))
        #expect(!taxonomy.contains("PHANTOM", "HEAD"))
        #expect(!taxonomy.contains("WHOLEBODY", "PHANTOM"))
    }

    @Test func badYamlNamesLineAndKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anatomy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("body-parts.yaml")
        let yaml = """
        classes: [HEAD]
        terms:
          HEAD: {code: "69536005", meaning: Head, region: HEAD, source: L-1}
          SKULL: {code: "89546000", meaning: Skull, region: KNEE, source: L-1}
        """
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        #expect {
            try Taxonomy.load(from: url)
        } throws: { error in
            guard case let .invalid(file, line, key, _) = error as? TaxonomyError else { return false }
            return file == url.path && line == 4 && key == "terms.SKULL.region"
        }
        try "classes: [HEAD\nterms: {".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: TaxonomyError.self) { try Taxonomy.load(from: url) }
    }

    @Test func rulesDirectoryOrder() throws {
        let root = TestSupport.packageRoot
        let exe = root.appendingPathComponent(".build/debug/bodypart")
        let elsewhere = URL(fileURLWithPath: "/", isDirectory: true)
        // Walking up from the executable inside the repo finds Rules/.
        let found = try RulesDirectory.locate(explicit: nil, environment: [:], executableURL: exe, currentDirectory: elsewhere)
        #expect(found.standardizedFileURL.path == root.appendingPathComponent("Rules").standardizedFileURL.path)
        // The environment variable wins and must be right.
        #expect(throws: TaxonomyError.self) {
            try RulesDirectory.locate(explicit: nil, environment: ["BODYPART_RULES": "/nonexistent"], executableURL: exe, currentDirectory: elsewhere)
        }
        do {
            _ = try RulesDirectory.locate(explicit: nil, environment: [:], executableURL: URL(fileURLWithPath: "/usr/bin/x"), currentDirectory: elsewhere)
            Issue.record("expected rulesNotFound")
        } catch let error as TaxonomyError {
            #expect(error.description.contains("BODYPART_RULES"))
        }
        #expect(try Taxonomy.standard().classes == TestSupport.taxonomy.classes)
    }
}
