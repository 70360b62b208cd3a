import Foundation
import Testing
@testable import Anatomy

/// `Taxonomy.ruleMatch` on real description text.
struct RuleMatchTests {
    let taxonomy = TestSupport.taxonomy

    @Test(arguments: [
        ("CT ABD AND PELVIS WITH IV CONT", "ABDOMENPELVIS"),
        ("CHEST 2.5 MM/ABD.PEL 2.5MM", "CHESTABDPELVIS"),
        ("5.2 CHEST/ABD/PEL (FEET FIRST)", "CHESTABDPELVIS"),
        ("CHEST ABD PELVIS", "CHESTABDPELVIS"),
        ("Schädel nativ", "HEAD"),
        ("TORACE", "CHEST"),
        ("CT CHEST PULMONARY ANGIO WITH IV CON", "CHEST"),
        ("IRM cérébrale, neuro-crâne", "BRAIN"),
        ("RM DE CRANIO", "HEAD"),
        ("Tomoscintigrafia PET total body", "WHOLEBODY"),
        ("PET/CT Tumor Img. Skull Base to Mid-thigh", "WHOLEBODY"),
        ("Thorax^1WB_PETCT", "WHOLEBODY"),
        ("5.8 TAP : 4 HELICES (SANS/THXABDO ART/AP", "CHESTABDPELVIS"),
        ("CT THORACO-ABDOMINAL", "CHESTABDOMEN"),
        ("MRI LUMBAR SPINE WO", "LSPINE"),
        ("7.1 L-Spine 3 Level 2.5mm", "LSPINE"),
        ("Локоть LAT", "ELBOW"),
        ("Bäcken", "PELVIS"),
        ("BÄCKEN FRONTAL", "PELVIS"),
        ("MR Lever", "ABDOMEN"),
        ("AX Liver 12 echoes", "ABDOMEN"),
        ("MRI Prostate ERC", "PELVIS"),
        ("XRAY RIGHT HAND", "HAND"),
        ("HIP JOINT", "HIP"),
        ("Knee (R)", "KNEE"),
        ("PUNCTIE BORST LINKS", "BREAST"),
        ("MAMMOSCREENING 1E LEZING", "BREAST"),
        ("Research^Head and neck", "HEADNECK"),
        ("PHOI, iDose (2)", "CHEST"),
        ("SO NAO AXIAL NEW", "HEAD"),
        ("Coronarographie", "HEART"),
        ("CT ANGIO ABD AND PEL WWO IV CONT", "ABDOMENPELVIS"),
        ("COLLO CRANIO TOTBODY SENZA E CON", "WHOLEBODY"),
        ("CT ABD PELVIS(WITH CHEST IMAGES) W IV CON", "CHESTABDPELVIS"),
        ("Tête^Dental (Adulte)", "HEAD"),
        ("LWS in 2 Ebenen", "LSPINE"),
        ("Rachis lombaire", "LSPINE"),
        ("CT HEAD WO CONTRAST HEAD FIRST", "HEAD"),
    ])
    func firstClass(text: String, expected: String) {
        let got = taxonomy.ruleMatch(text)
        #expect(got.first == expected, "\(text) → \(got)")
    }

    @Test func compositeBeforeParts() {
        #expect(taxonomy.ruleMatch("CHEST 2.5 MM/ABD.PEL 2.5MM") == ["CHESTABDPELVIS", "ABDOMENPELVIS", "CHEST"])
    }

    @Test func specificBeforeGeneric() {
        #expect(taxonomy.ruleMatch("SPINE T2 LUMBAR") == ["LSPINE", "SPINE"])
        #expect(taxonomy.ruleMatch("EXTREMITY SHOULDER").first == "SHOULDER")
    }

    @Test(arguments: ["FEET FIRST SUPINE", "ARMS UP", "TURBO SPIN ECHO", "W/WO IV CONT", "Body 3.000 CE", "DTI SAG 30d", "LUT Series",
                      "1 25 MM CORONAL", "STANDARD 2.5MM", "JPEG 2000 Compressed Image", ""])
    func noBodyPart(text: String) {
        #expect(taxonomy.ruleMatch(text).isEmpty, "\(text) → \(taxonomy.ruleMatch(text))")
    }

    @Test func twoUnrelatedPartsStayApart() {
        let got = taxonomy.ruleMatch("HEAD + KNEE")
        #expect(got == ["HEAD", "KNEE"])
        #expect(taxonomy.normalize("HEAD KNEE").term == nil)
    }
}
