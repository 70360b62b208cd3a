import Foundation
import Testing
@testable import Anatomy

/// `Taxonomy.normalize` against the real BodyPartExamined values of the dev set and golden synonyms.
struct NormalizeTests {
    let taxonomy = TestSupport.taxonomy

    @Test func devLabelsAgreeWithNormalizedValues() throws {
        let rows = try TestSupport.readCSV(TestSupport.sharedData.appendingPathComponent("dicom-dev/labels.csv"))
        #expect(rows.count >= 200)
        var checked = 0
        for row in rows {
            let raw = row["bpe_raw"] ?? "", label = row["label"] ?? "", status = row["bpe_status"] ?? ""
            guard !raw.isEmpty else { continue }
            let n = taxonomy.normalize(raw)
            switch status {
            case "agree", "equivalent", "nonstandard":
                let term = try #require(n.term, "\(raw) (\(status)) should map to \(label)")
                #expect(term == label || taxonomy.areEquivalent(term, label), "\(raw) → \(term), label \(label)")
                if status == "agree" { #expect(n.kind == .exact, "\(raw)") }
                checked += 1
            case "partial-too-narrow":
                #expect(n.term.map { taxonomy.contains(label, $0) } == true, "\(raw) → \(n.term ?? "nil") within \(label)")
            case "partial-too-broad":
                #expect(n.term.map { taxonomy.contains($0, label) } == true, "\(raw) → \(n.term ?? "nil") contains \(label)")
            default:
                break
            }
        }
        #expect(checked >= 55)
    }

    @Test(arguments: ["JPEG 2000 Compressed Image", "OTHER", "UNKNOWN", "", "   ", "FUSION", "SEG", "OUTSIDE FIL", "WO INTER", "BODY", "W/WO", "ARTERY"])
    func garbageIsUnknown(raw: String) {
        let n = taxonomy.normalize(raw)
        #expect(n.term == nil && n.kind == .unknown, "\(raw) → \(n.term ?? "nil")")
    }

    @Test func kinds() {
        #expect(taxonomy.normalize("CHEST") == Normalization(raw: "CHEST", term: "CHEST", matched: "CHEST", kind: .exact))
        #expect(taxonomy.normalize("HEAD ") == Normalization(raw: "HEAD ", term: "HEAD", matched: "HEAD", kind: .exact))
        #expect(taxonomy.normalize("PROSTATE") == Normalization(raw: "PROSTATE", term: "PELVIS", matched: "PROSTATE", kind: .organ))
        #expect(taxonomy.normalize("WHOLE BODY") == Normalization(raw: "WHOLE BODY", term: "WHOLEBODY", matched: "WHOLEBODY", kind: .synonym))
        #expect(taxonomy.normalize("MR Lever") == Normalization(raw: "MR Lever", term: "ABDOMEN", matched: "LIVER", kind: .organ))
        #expect(taxonomy.normalize("Brain").kind == .synonym)
        #expect(taxonomy.normalize("PHANTOM").kind == .exact)
        #expect(taxonomy.normalize("Phantom").kind == .synonym)
        #expect(taxonomy.normalize("Cardiac^_Cardio_033sec (Adult)").term == "HEART")
    }

    @Test(arguments: [
        // English and RIS abbreviations
        ("L_SPINE", "LSPINE"), ("C-SP", "CSPINE"), ("L/S", "LSPINE"), ("ABD", "ABDOMEN"), ("PELV", "PELVIS"),
        ("CAP", "CHESTABDPELVIS"), ("TAP", "CHESTABDPELVIS"), ("HN", "HEADNECK"), ("WB", "WHOLEBODY"),
        ("TOTAL BODY", "WHOLEBODY"), ("TOTAL B", "WHOLEBODY"), ("CHEST_TO_PELVIS", "CHESTABDPELVIS"),
        ("LEFT BREAST", "BREAST"), ("Right Breast", "BREAST"), ("BONYPELVIS", "PELVIS"), ("THORAX", "CHEST"),
        ("TH CT CHEST WO C", "CHEST"), ("CHEST (THORAX) W", "CHEST"), ("BD CT ABD WO_W C", "ABDOMEN"),
        ("Phantom", "PHANTOM"), ("LUMBAR", "LSPINE"),
        // German
        ("SCHAEDEL", "HEAD"), ("SCHÄDEL", "HEAD"), ("KOPF", "HEAD"), ("HWS", "CSPINE"), ("BWS", "TSPINE"), ("LWS", "LSPINE"),
        ("BECKEN", "PELVIS"), ("B?cken", "PELVIS"), ("WIRBELSAEULE", "SPINE"), ("KNIE", "KNEE"), ("GANZKOERPER", "WHOLEBODY"),
        // French
        ("CRANE", "HEAD"), ("CRÂNE", "HEAD"), ("BASSIN", "PELVIS"), ("RACHIS", "SPINE"), ("GENOU", "KNEE"), ("EPAULE", "SHOULDER"),
        ("ÉPAULE", "SHOULDER"), ("CERVEAU", "BRAIN"),
        // Italian
        ("CRANIO", "HEAD"), ("TORACE", "CHEST"), ("ADDOME", "ABDOMEN"), ("BACINO", "PELVIS"), ("ENCEFALO", "BRAIN"), ("GINOCCHIO", "KNEE"),
        // Spanish, Portuguese
        ("CABEZA", "HEAD"), ("TÓRAX", "CHEST"), ("RODILLA", "KNEE"), ("HOMBRO", "SHOULDER"), ("CABEÇA", "HEAD"), ("JOELHO", "KNEE"), ("PELVE", "PELVIS"),
        // Dutch, Swedish, Polish
        ("HOOFD", "HEAD"), ("BEKKEN", "PELVIS"), ("PROSTAAT", "PELVIS"), ("Bäcken", "PELVIS"), ("MIEDNICA", "PELVIS"),
        // Russian, Vietnamese
        ("ГОЛОВА", "HEAD"), ("голова", "HEAD"), ("ЛОКОТЬ", "ELBOW"), ("ГРУДНАЯ КЛЕТКА", "CHEST"), ("PHỔI", "CHEST"), ("SỌ NÃO", "HEAD"),
    ])
    func golden(raw: String, expected: String) {
        #expect(taxonomy.normalize(raw).term == expected, "\(raw) → \(taxonomy.normalize(raw).term ?? "nil")")
    }

    @Test func everyClassAndTermNormalizesToItsRegion() {
        // LUMBAR (lumbar region of the abdomen) is deliberately overridden: a header saying LUMBAR means the lumbar spine.
        for term in taxonomy.allTerms where term.isLocalizing && term.definedTerm != "LUMBAR" {
            let n = taxonomy.normalize(term.definedTerm)
            #expect(n.term == term.region && n.matched == term.definedTerm, "\(term.definedTerm) → \(n.term ?? "nil")")
        }
    }
}
