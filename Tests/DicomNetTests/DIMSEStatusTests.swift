import DicomCore
import Testing

/// The PS3.4/PS3.7 ranges a status belongs to.
@Suite struct DIMSEStatusTests {
    @Test(arguments: [
        (UInt16(0x0000), DIMSEStatus.Kind.success), (0xFF00, .pending), (0xFF01, .pending), (0xFE00, .cancel),
        (0xB000, .warning), (0xB007, .warning), (0x0107, .warning), (0x0001, .warning),
        (0xA700, .failure), (0xA900, .failure), (0xC000, .failure), (0x0122, .failure), (0xA801, .failure),
        (0x0211, .failure),
    ])
    func kinds(_ code: UInt16, _ kind: DIMSEStatus.Kind) {
        #expect(DIMSEStatus(code).kind == kind)
    }

    @Test func failureCategories() {
        #expect(DIMSEStatus(0xA7FF).failureCategory == .outOfResources)
        #expect(DIMSEStatus.outOfResourcesSubOperations.failureCategory == .outOfResources)
        #expect(DIMSEStatus(0xA905).failureCategory == .dataSetDoesNotMatchSOPClass)
        #expect(DIMSEStatus.malformedDataSet.failureCategory == .cannotUnderstand)
        #expect(DIMSEStatus(0xCFFF).failureCategory == .cannotUnderstand)
        #expect(DIMSEStatus.sopClassNotSupported.failureCategory == .sopClassNotSupported)
        #expect(DIMSEStatus.moveDestinationUnknown.failureCategory == .moveDestinationUnknown)
        #expect(DIMSEStatus(0x0211).failureCategory == .general)
        #expect(DIMSEStatus.success.failureCategory == nil)
        #expect(DIMSEStatus(0xB000).failureCategory == nil)
    }

    @Test func successOrWarningIsWhatAStoreKeeps() {
        #expect(DIMSEStatus.success.isSuccessOrWarning)
        #expect(DIMSEStatus(0xB006).isSuccessOrWarning)
        #expect(!DIMSEStatus.outOfResources.isSuccessOrWarning)
        #expect(!DIMSEStatus.pending.isSuccessOrWarning)
    }

    @Test func textNamesCodeAndClass() {
        #expect(DIMSEStatus(0xA700).hex == "0xA700")
        #expect(DIMSEStatus(0x0122).hex == "0x0122")
        #expect(DIMSEStatus(0xC002).description == "0xC002 (failure: cannotUnderstand)")
    }
}
