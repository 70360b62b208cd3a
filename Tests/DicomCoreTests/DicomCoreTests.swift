import Testing

@testable import DicomCore

@Suite struct TagTests {
    @Test(arguments: ["(0018,0015)", "0018,0015", "00180015", " (0018,0015) "])
    func parsesCommonSpellings(text: String) {
        #expect(Tag(parsing: text) == .bodyPartExamined)
    }

    @Test func rejectsWhatIsNotATag() {
        #expect(Tag(parsing: "(0018,001)") == nil)
        #expect(Tag(parsing: "BodyPartExamined") == nil)
        #expect(Tag(parsing: "(0018,0015) BodyPartExamined") == nil)
    }

    @Test func describesAndClassifiesPrivateTags() {
        #expect(Tag(0x0077, 0x1001).description == "(0077,1001)")
        #expect(Tag(0x0077, 0x1001).isPrivate && !Tag(0x0077, 0x1001).isPrivateCreator)
        #expect(Tag(0x0077, 0x0010).isPrivateCreator)
        #expect(!Tag.bodyPartExamined.isPrivate)
        #expect(!Tag(0x0001, 0x0010).isPrivate, "groups 0001-0007 are not private")
        #expect(Tag(0x0008, 0x0000) < Tag(0x0008, 0x0001) && Tag(0x0008, 0xFFFF) < Tag(0x0009, 0x0000))
    }

    @Test func everyClassifierKeywordHasATag() {
        for keyword in Tag.classifierKeywords { #expect(Tag.byKeyword[keyword] != nil, "\(keyword)") }
    }
}

@Suite struct DataSetTests {
    let set = DataSet(elements: [
        DataElement(tag: .sopInstanceUID, vr: .UI, keyword: "SOPInstanceUID", value: .text("1.2.3\0")),
        DataElement(tag: .studyDescription, vr: .LO, keyword: "StudyDescription", value: .text("  CT CHEST  ")),
        DataElement(tag: .anatomicRegionSequence, vr: .SQ, keyword: "AnatomicRegionSequence", value: .sequence([
            DataSet(elements: [DataElement(tag: .codeValue, vr: .SH, keyword: "CodeValue", value: .text("51185008"))]),
        ])),
        DataElement(tag: .bodyPartExamined, vr: .CS, keyword: "BodyPartExamined", value: .text("")),
        DataElement(tag: .pixelData, vr: VR(rawValue: "OW"), keyword: "PixelData", value: .binary(length: 524288)),
    ])

    @Test func findsByTagAndTrimsPadding() {
        #expect(set.string(.sopInstanceUID) == "1.2.3")
        #expect(set.string(.studyDescription) == "CT CHEST")
        #expect(set.string(.bodyPartExamined) == nil, "empty counts as absent for string()")
        #expect(set[.bodyPartExamined] != nil, "but the element is there")
        #expect(set[.seriesDescription] == nil)
        #expect(set.items(.anatomicRegionSequence).first?.string(.codeValue) == "51185008")
        #expect(set.items(.originalAttributesSequence).isEmpty)
        #expect(set[.pixelData]?.text == nil)
    }

    @Test func binaryVRs() {
        #expect(VR(rawValue: "OB").isBinary && VR.UN.isBinary && !VR.CS.isBinary)
    }

    @Test func errorsAreOneLineWithThePath() {
        let error = DicomError.truncated(path: "/a/b.dcm", detail: "data ends early")
        #expect(error.description == "/a/b.dcm: data ends early")
        #expect(error.kind == "truncated" && error.path == "/a/b.dcm")
    }
}
