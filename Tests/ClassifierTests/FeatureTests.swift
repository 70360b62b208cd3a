import Foundation
import Testing
@testable import Classifier

@Suite("Features")
struct FeatureTests {
    let extractor = FeatureExtractor()

    @Test("byte normalizer: upper case, accents removed, separators to one space")
    func normalizer() {
        #expect(ByteText.normalize("Thorax/Abdomen_Bécken-ÉPAULE  ") == "THORAX ABDOMEN BECKEN EPAULE")
        #expect(ByteText.normalize("  l-spine^2.5mm ") == "L SPINE 2 5MM")
        #expect(ByteText.normalize("головной мозг") == "ГОЛОВНОЙ МОЗГ")
        #expect(ByteText.normalize("Chụp cắt lớp") == "CHUP CAT LOP")
    }

    @Test("number parser reads DICOM multi-values")
    func numbers() {
        var out: [Double] = []
        #expect(FeatureExtractor.parse("1\\0\\0\\0\\-1.5e0\\0", into: &out) == 6)
        #expect(out == [1, 0, 0, 0, -1.5, 0])
        #expect(FeatureExtractor.parse("045Y", into: &out) == 1 && out[0] == 45)
    }

    @Test("golden: feature count and checksum of a fixed series")
    func golden() {
        let meta = SeriesMetadata(attributes: [
            "StudyDescription": "CT CHEST W CONTRAST", "SeriesDescription": "Lung 1.25mm",
            "Modality": "CT", "Manufacturer": "GE MEDICAL SYSTEMS", "BodyPartExamined": "CHEST",
            "ImageOrientationPatient": "1\\0\\0\\0\\1\\0", "SliceThickness": "1.25",
        ], instanceCount: 120)
        let v = extractor.extract(meta)
        let checksum = v.indices.reduce(UInt64(0)) { ($0 &* 31) &+ UInt64($1) }
        #expect(v.count == 100)
        #expect(checksum == 6_401_460_024_049_987_009)
        let origins = (0..<v.count).map { v.origin(of: $0) }
        #expect(origins.contains { $0.field == .orientation && $0.term == "AXIAL" })
        #expect(origins.contains { $0.field == .sliceThickness && $0.term == "ST<=2" })
        #expect(origins.contains { $0.field == .manufacturer && $0.term == "GE" })
        #expect(origins.contains { $0.field == .seriesDescription && $0.term == "LUNG" })
    }

    @Test("features do not depend on dictionary order and are all in range")
    func deterministic() {
        let a = SeriesMetadata(attributes: ["SeriesDescription": "T2 AX BRAIN", "Modality": "MR"])
        let b = SeriesMetadata(attributes: ["Modality": "MR", "SeriesDescription": "T2 AX BRAIN"])
        #expect(extractor.extract(a).indices.sorted() == extractor.extract(b).indices.sorted())
        #expect(extractor.extract(a).indices.allSatisfy { Int($0) < FeatureHashing.standard.buckets })
    }

    @Test("abbreviations add their expansion: ABD shares the ABDOMEN word feature")
    func abbreviations() {
        let abd = Set(extractor.extract(SeriesMetadata(attributes: ["StudyDescription": "ABD"])).indices)
        let full = Set(extractor.extract(SeriesMetadata(attributes: ["StudyDescription": "ABDOMEN"])).indices)
        #expect(!abd.isDisjoint(with: full))
    }

    @Test("property: instance order does not change series metadata", arguments: 0..<20)
    func instanceOrder(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let instances: [[String: String]] = (0..<7).map { i in
            ["SeriesDescription": i % 3 == 0 ? "AX T1" : "AX T1 POST", "Modality": "MR",
             "ImagePositionPatient": "0\\0\\\(Double(i) * 5.5)", "InstanceNumber": "\(i)",
             "ProtocolName": ["BRAIN", "HEAD", "BRAIN"][i % 3]]
        }
        let reference = SeriesMetadata(instances: instances)
        let shuffled = SeriesMetadata(instances: instances.shuffled(using: &rng))
        #expect(reference == shuffled)
        #expect(reference["SeriesDescription"] == "AX T1 POST")
        #expect(reference[SeriesMetadata.zExtentKey] == "33.0")
        #expect(extractor.extract(reference).indices == extractor.extract(shuffled).indices)
    }

    @Test("every keyword has its slot, and a reused vector keeps nothing of the series before")
    func slotsAndReuse() {
        typealias Slot = FeatureExtractor.Slot
        let k = FeatureExtractor.keywords
        #expect(Set(k).count == k.count && FeatureExtractor.slotOfKeyword.count == k.count)
        #expect(k[Slot.bodyPartExamined] == "BodyPartExamined" && k[Slot.imageType] == "ImageType" && k[Slot.modality] == "Modality")
        #expect(k[Slot.manufacturer] == "Manufacturer" && k[Slot.orientation] == "ImageOrientationPatient")
        #expect(k[Slot.sliceThickness] == "SliceThickness" && k[Slot.pixelSpacing] == "PixelSpacing")
        #expect(k[Slot.imagerPixelSpacing] == "ImagerPixelSpacing" && k[Slot.frames] == "NumberOfFrames")
        #expect(k[Slot.zExtent] == SeriesMetadata.zExtentKey && k[Slot.contrast] == "ContrastBolusAgent" && k[Slot.age] == "PatientAge")
        #expect(Array(k[0..<FeatureExtractor.descriptionFields.count]) == FeatureExtractor.descriptionFields.map(\.0))
        let categorical = Array(k[Slot.categorical..<(Slot.categorical + FeatureExtractor.categoricalFields.count)])
        #expect(categorical == FeatureExtractor.categoricalFields.map(\.0))
        // A series with every field, then one with almost none, into the same vector.
        var full: [String: String] = [:]
        for (i, keyword) in k.enumerated() { full[keyword] = "\(i + 1)" }
        full["ImageOrientationPatient"] = "1\\0\\0\\0\\1\\0"
        full["StudyDescription"] = "CT KNEE"
        let sparse = SeriesMetadata(attributes: ["SeriesDescription": "AX T1", "Modality": "MR"])
        var reused = FeatureVector()
        extractor.extract(SeriesMetadata(attributes: full), into: &reused)
        #expect((0..<reused.count).contains { reused.origin(of: $0).field == .orientation })
        extractor.extract(sparse, into: &reused)
        #expect(reused.indices == extractor.extract(sparse).indices)
        #expect(!(0..<reused.count).contains { reused.origin(of: $0).field == .orientation })
    }
}
