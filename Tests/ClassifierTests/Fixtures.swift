import Anatomy
import Foundation
@testable import Classifier

/// Shared test inputs: the taxonomy, RadLex procedure names from `../shared/data`, and a
/// few hand-written series.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let taxonomy: Taxonomy = try! Taxonomy.load(from: root.appendingPathComponent("Rules/body-parts.yaml"))
    static let radlexURL = root.deletingLastPathComponent().appendingPathComponent("shared/data/radlex-playbook-core.tsv")
    /// `../shared/data` (or `$BODYPART_SHARED_DATA`).
    static let sharedData = ProcessInfo.processInfo.environment["BODYPART_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
        ?? root.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// RadLex examples, each given one of ten groups by a hash of its text.
    static func radlex() throws -> [TrainingExample] {
        try TrainingData.radlex(radlexURL, taxonomy: taxonomy).map { e in
            var e = e
            e.group = "g\(SplitMix.hash(e.metadata["StudyDescription"] ?? "") % 10)"
            return e
        }
    }

    /// Hand-written series in the style of real headers.
    static let handWritten: [TrainingExample] = [
        ("CT THORAX", "Lung 1.25mm", "CT", "CHEST"), ("CT CHEST WO", "AXIAL 5MM", "CT", "CHEST"),
        ("MR BRAIN W/WO", "AX T2 FLAIR", "MR", "BRAIN"), ("MRI HEAD", "SAG T1", "MR", "BRAIN"),
        ("CT ABD PELVIS W", "PORTAL VENOUS", "CT", "ABDOMENPELVIS"), ("MAMMO SCREENING", "L CC", "MG", "BREAST"),
        ("XR KNEE 2V", "KNEE AP", "DX", "KNEE"), ("MR L-SPINE", "SAG T2", "MR", "LSPINE"),
        ("CT CAP W", "CHEST ABD PELVIS 3MM", "CT", "CHESTABDPELVIS"), ("US PELVIS", "TRANSVAGINAL", "US", "PELVIS"),
    ].enumerated().map { i, t in
        TrainingExample(metadata: SeriesMetadata(attributes: ["StudyDescription": t.0, "SeriesDescription": t.1,
                                                              "Modality": t.2]),
                        label: t.3, group: "hand\(i % 3)")
    }
}
