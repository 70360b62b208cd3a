import Anatomy
import Foundation
import Testing
@testable import Classifier

/// Golden tests for the coil answer (``Predictor/coilAnswer(_:)``): a dedicated MR receive coil
/// answers where the model abstains and nothing in the header names another region.
@Suite("CoilAnswer")
struct CoilAnswerTests {
    /// A model torn between classes (nothing reaches its threshold) for every series.
    static let torn = AnswerRulesTests.model(["ABDOMEN": 0.3, "PELVIS": 0.3, "CHEST": 0.2])

    static func mr(_ extra: [String: String]) -> SeriesMetadata {
        SeriesMetadata(attributes: ["Modality": "MR", "SeriesDescription": "DTI ortho"].merging(extra) { $1 })
    }

    @Test("an MR whose descriptions name no region, in a head coil: HEAD, basis coil, the stated confidence")
    func headCoil() {
        let p = Self.torn.predict(Self.mr(["ReceiveCoilName": "32Ch Head"]))
        #expect(p.bodyPart == "HEAD")
        #expect(p.basis == .coil)
        #expect(p.confidence == Fixtures.taxonomy.coils.confidence)
        #expect(Self.torn.predict(Self.mr([:])).abstained)
        #expect(Self.torn.predict(Self.mr(["ReceiveCoilName": "HD TRknee PA"])).bodyPart == "KNEE")
    }

    @Test("descriptions naming another region, a contradicting stored term, a multi-region coil or a CT: no coil answer")
    func vetoes() {
        #expect(Self.torn.predict(Self.mr(["ReceiveCoilName": "32Ch Head", "SeriesDescription": "T1 SAG KNEE"])).basis != .coil)
        #expect(Self.torn.predict(Self.mr(["ReceiveCoilName": "32Ch Head", "BodyPartExamined": "KNEE"])).basis != .coil)
        #expect(Self.torn.predict(Self.mr(["ReceiveCoilName": "HeadNeck_20"])).abstained)
        let ct = SeriesMetadata(attributes: ["Modality": "CT", "ReceiveCoilName": "Head"])
        #expect(Self.torn.predict(ct).abstained)
    }

    @Test("descriptions and stored term that agree with the coil keep the coil answer")
    func agreeing() {
        let p = Self.torn.predict(Self.mr(["ReceiveCoilName": "Head_32", "StudyDescription": "MRI BRAIN", "BodyPartExamined": "HEAD"]))
        #expect(p.bodyPart == "HEAD" || p.bodyPart == "BRAIN")
        #expect(!p.abstained)
    }

    @Test("a confident model answer is not replaced by the coil")
    func modelFirst() {
        let sure = AnswerRulesTests.model(["PELVIS": 0.97])
        let p = sure.predict(Self.mr(["ReceiveCoilName": "32Ch Head"]))
        #expect(p.bodyPart == "PELVIS")
        #expect(p.basis == .model)
    }
}
