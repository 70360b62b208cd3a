import Anatomy
import Foundation
import Testing
@testable import Classifier

/// Golden tests for the reading of the header text (``FieldReading``), the answers of its fitted
/// patterns, and how the patterns are chosen (``ReadingFit``).
@Suite("ReadingAnswer")
struct ReadingAnswerTests {
    static func series(_ study: String?, _ series: String?, bpe: String? = nil, protocolName: String? = nil,
                       modality: String = "CT") -> SeriesMetadata {
        var a = ["Modality": modality]
        a["StudyDescription"] = study
        a["SeriesDescription"] = series
        a["BodyPartExamined"] = bpe
        a["ProtocolName"] = protocolName
        return SeriesMetadata(attributes: a)
    }

    /// The reading's candidate and pattern, read through a model with no weights.
    static func reading(_ s: SeriesMetadata) -> Prediction.Reading? {
        AnswerRulesTests.model(["CHEST": 0.5]).predict(s).reading
    }

    @Test("the series description outranks its study's: a chest reconstruction of a CAP study reads CHEST, study broader")
    func seriesOutranksStudy() {
        let r = Self.reading(Self.series("CT CHEST ABDOMEN PELVIS W CONTRAST", "CHEST CORONAL"))
        #expect(r?.bodyPart == "CHEST")
        #expect(r?.pattern.hasPrefix("series/broader/absent/trunk/image/") == true)
    }

    @Test("a composite spelt out part by part reads the composite")
    func composite() {
        #expect(Self.reading(Self.series(nil, "CHEST 2.5 MM/ABD.PEL 2.5MM"))?.bodyPart == "CHESTABDPELVIS")
    }

    @Test("a series naming nothing reads its study; the protocol comes between")
    func levels() {
        #expect(Self.reading(Self.series("MR KNEE WO", "SAG PD FS", modality: "MR"))?.pattern.hasPrefix("study/absent/absent/part/image/") == true)
        let p = Self.reading(Self.series("CT ROUTINE", "AXIAL 5MM", protocolName: "HEAD ROUTINE"))
        #expect(p?.bodyPart == "HEAD")
        #expect(p?.pattern.hasPrefix("protocol/") == true)
    }

    @Test("another region elsewhere is a conflict; a level naming two regions reads nothing")
    func conflicts() {
        #expect(Self.reading(Self.series("XR SHOULDER", "KNEE AP", modality: "DX"))?.pattern.hasPrefix("series/conflict/") == true)
        #expect(Self.reading(Self.series(nil, "KNEE / SHOULDER", modality: "DX")) == nil)
        #expect(Self.reading(Self.series(nil, "AXIAL 5MM")) == nil)
    }

    @Test("the stored BodyPartExamined: same, a part of the candidate (narrower), a region containing it (broader)")
    func stored() {
        #expect(Self.reading(Self.series(nil, "CT CHEST", bpe: "LUNG"))?.pattern.hasPrefix("series/absent/same/") == true)
        #expect(Self.reading(Self.series(nil, "CT ABD PELVIS", bpe: "ABDOMEN"))?.pattern.hasPrefix("series/absent/narrower/") == true)
        #expect(Self.reading(Self.series(nil, "CT CHEST", bpe: "CHESTABDPELVIS"))?.pattern.hasPrefix("series/absent/broader/") == true)
        #expect(Self.reading(Self.series(nil, "CT CHEST", bpe: "KNEE"))?.pattern.hasPrefix("series/absent/conflict/") == true)
    }

    @Test("with no text, a modality that implies its region by definition reads it (MG: BREAST), without the model's agreement")
    func modality() {
        let mg = Self.reading(Self.series(nil, nil, modality: "MG"))
        #expect(mg?.bodyPart == "BREAST" && mg?.pattern == "modality/MG")
        #expect(Self.reading(Self.series(nil, nil, bpe: "CHEST", modality: "MG"))?.pattern == "modality/MG/conflict")
        #expect(Self.reading(Self.series(nil, nil, modality: "CT")) == nil)
        // A description naming a region comes first.
        #expect(Self.reading(Self.series(nil, "SPECIMEN KNEE", modality: "MG"))?.bodyPart == "KNEE")
    }

    @Test("derived objects and PET are patterns of their own")
    func objects() {
        #expect(Self.reading(Self.series("CT CHEST", "Lung segmentation", modality: "SEG"))?.pattern.contains("/derived/") == true)
        #expect(Self.reading(Self.series("PET CT LUNG CA", "AC", modality: "PT"))?.pattern.contains("/pet/") == true)
    }

    @Test("an accepted pattern answers its candidate where the model abstains; others, and a disagreeing model, do not")
    func answers() {
        let knee = Self.series("XR KNEE 2V", "KNEE AP", modality: "DX")
        var m = AnswerRulesTests.model(["KNEE": 0.6])
        #expect(m.predict(knee).abstained)
        let pattern = m.predict(knee).reading!.pattern
        #expect(pattern == "series/same/absent/part/image/agree")
        m.readingPatterns = [pattern: 0.98]
        let p = m.predict(knee)
        #expect(p.bodyPart == "KNEE")
        #expect(p.basis == .reading)
        #expect(p.confidence == 0.98)
        // The model's most probable class is another region: the pattern is the "disagree" one.
        var other = AnswerRulesTests.model(["CHEST": 0.6])
        other.readingPatterns = [pattern: 0.98]
        #expect(other.predict(knee).abstained)
        #expect(other.predict(knee).reading?.pattern == "series/same/absent/part/image/disagree")
    }

    @Test("reading patterns survive the model file (format 5)")
    func modelFile() throws {
        var m = AnswerRulesTests.model(["KNEE": 0.6])
        m.readingPatterns = ["series/same/absent/part/image/agree": 0.975]
        let back = try ModelFile.decode(ModelFile.encode(m))
        #expect(back.readingPatterns == m.readingPatterns)
    }

    static func rows(_ pattern: String, right: Int, wrong: Int, modelAnswered: Bool = false) -> [ReadingFit.Row] {
        (0..<(right + wrong)).map { i in
            ReadingFit.Row(pattern: pattern, candidateRight: i < right, modelAnswered: modelAnswered, modelRight: true, labelled: true)
        }
    }

    @Test("patterns are taken by smoothed out-of-fold accuracy, with a minimum count and a wrong-answer budget")
    func fit() {
        var f = ReadingFit()
        f.minCount = 8
        let rows = Self.rows("a", right: 60, wrong: 0) + Self.rows("b", right: 35, wrong: 5) + Self.rows("c", right: 5, wrong: 0)
            + Self.rows("d", right: 99, wrong: 1) + Self.rows("m", right: 300, wrong: 0, modelAnswered: true)
        let (accepted, figures) = f.fit(rows)
        #expect(Set(accepted.keys) == ["a", "d"])
        #expect(abs(accepted["a"]! - 60.0 / 61) < 1e-9)
        #expect(figures.first?.pattern == "a")
        // A budget of no wrong answer at all keeps only the pattern never wrong.
        f.maxWrongRate = 0
        #expect(Set(f.fit(rows).accepted.keys) == ["a"])
    }
}
