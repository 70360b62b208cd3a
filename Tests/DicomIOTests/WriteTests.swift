import BodypartTesting
import DicomCore
import Foundation
import Testing

@testable import DicomIO

@Suite(.serialized) struct WriteTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static let devFiles = TestEnvironment.files(under: TestEnvironment.dicomDevFiles)

    static func comparable(_ set: DataSet) -> [DataElement] { DataSetComparison.withoutGroupLengths(set.elements) }

    static func differences(_ a: [DataElement], _ b: [DataElement]) -> String { DataSetComparison.differences(a, b) }

    @Test func emptyEditKeepsEveryElementAndPixelByte() throws {
        let folder = try TestEnvironment.temporaryFolder("roundtrip")
        defer { TestEnvironment.remove(folder) }
        var written = 0
        for (i, path) in Self.devFiles.enumerated() {
            guard let object = try? DicomObject(path: path) else { continue }
            let target = folder.appendingPathComponent("\(i).dcm").path
            try AtomicWriter.write(object, to: target, permissions: 0o644)
            let before = try HeaderReader().read(path)
            let after = try HeaderReader().read(target)
            let (a, b) = (Self.comparable(after.dataset), Self.comparable(before.dataset))
            #expect(a == b, "elements differ: \(path): \(Self.differences(a, b))")
            #expect(after.transferSyntaxUID == before.transferSyntaxUID, "transfer syntax kept: \(path)")
            #expect(try DicomObject(path: target).pixelDataBytes == object.pixelDataBytes, "pixel bytes: \(path)")
            written += 1
        }
        #expect(written >= Self.devFiles.count - 5)
    }

    static let prediction: Edit = .setPrivate(
        group: 0x0077, creator: "BODYPART PREDICTION 1",
        elements: [
            PrivateElement(offset: 0x01, vr: .CS, value: "CHEST"),
            PrivateElement(offset: 0x05, vr: .DS, value: "0.97"),
            PrivateElement(offset: 0x08, vr: .LO, value: "test-model"),
            PrivateElement(offset: 0x0B, vr: .DT, value: "20261125101500"),
        ])

    @Test func editChangesOnlyNamedElements() throws {
        let folder = try TestEnvironment.temporaryFolder("edit")
        defer { TestEnvironment.remove(folder) }
        var checked = 0
        for (i, path) in Self.devFiles.enumerated() where i % 3 == 0 {
            guard let object = try? DicomObject(path: path) else { continue }
            try object.apply([.set(.bodyPartExamined, .CS, "CHEST"), Self.prediction])
            let target = folder.appendingPathComponent("\(i).dcm").path
            try AtomicWriter.write(object, to: target, permissions: 0o644)
            let before = try HeaderReader().read(path)
            let after = try HeaderReader().read(target)
            #expect(after.dataset.string(.bodyPartExamined) == "CHEST")
            let untouched = { (e: DataElement) in e.tag != .bodyPartExamined && e.tag.group != 0x0077 && e.tag.element != 0 }
            let (a, b) = (Self.comparable(after.dataset).filter(untouched), Self.comparable(before.dataset).filter(untouched))
            #expect(a == b, "\(path): \(Self.differences(a, b))")
            #expect(try DicomObject(path: target).pixelDataBytes == object.pixelDataBytes)
            let block = after.dataset.elements.filter { $0.tag.group == 0x0077 && $0.tag.element > 0xFF }
            #expect(block.map(\.vr.rawValue) == ["CS", "DS", "LO", "DT"], "explicit VRs, never UN: \(path)")
            #expect(block.first?.keyword == "BodyPartPredicted")
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test func dcmdumpShowsPrivateElementsWithTheirVRs() throws {
        let dcmdump = try #require(TestEnvironment.which("dcmdump"))
        let folder = try TestEnvironment.temporaryFolder("dcmdump")
        defer { TestEnvironment.remove(folder) }
        // One explicit-VR and one implicit-VR file.
        var syntaxes = Set<String>()
        for path in Self.devFiles {
            guard let header = try? HeaderReader().read(path), syntaxes.count < 2,
                  ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"].contains(header.transferSyntaxUID),
                  syntaxes.insert(header.transferSyntaxUID).inserted
            else { continue }
            let object = try DicomObject(path: path)
            try object.apply([Self.prediction])
            let target = folder.appendingPathComponent("x.dcm").path
            try AtomicWriter.write(object, to: target, permissions: 0o644)
            let dictionaries = "/usr/share/libdcmtk17/dicom.dic:\(TestEnvironment.privateDictionary)"
            let dump = try TestEnvironment.run(dcmdump, ["-q", target], environment: ["DCMDICTPATH": dictionaries]).stdout
            let lines = dump.split(separator: "\n").filter { $0.hasPrefix("(0077,") }
            #expect(lines.contains { $0.contains("LO [BODYPART PREDICTION 1]") && $0.contains("PrivateCreator") })
            #expect(lines.contains { $0.contains(" CS [CHEST]") && $0.contains("BodyPartPredicted") }, "\(lines)")
            #expect(lines.contains { $0.contains(" DS [0.97]") && $0.contains("BodyPartPredictionConfidence") })
            #expect(!lines.contains { $0.contains(" UN ") })
        }
        #expect(syntaxes.count == 2)
    }

    @Test func privateBlockReusesCreatorAndSkipsTakenBlocks() throws {
        let path = try #require(Self.devFiles.first { (try? DicomObject(path: $0)) != nil })
        let object = try DicomObject(path: path)
        try object.apply([.set(Tag(0x0077, 0x0010), .LO, "SOMEONE ELSE")])
        try object.apply([Self.prediction])
        try object.apply([Self.prediction])
        let set = object.header.dataset
        #expect(set.string(Tag(0x0077, 0x0010)) == "SOMEONE ELSE")
        #expect(set.string(Tag(0x0077, 0x0011)) == "BODYPART PREDICTION 1")
        #expect(set.string(Tag(0x0077, 0x1101)) == "CHEST")
        #expect(set[Tag(0x0077, 0x0012)] == nil, "the creator's block is reused, not a second one")
    }

    @Test func originalAttributesKeepOldValues() throws {
        let path = try #require(Self.devFiles.first { (try? HeaderReader().read($0))?.dataset.string(.bodyPartExamined) != nil })
        let object = try DicomObject(path: path)
        let old = object.header.dataset.string(.bodyPartExamined)
        try object.apply([
            .recordOriginals(tags: [.bodyPartExamined, .anatomicRegionSequence], dateTime: "20261125101500",
                             modifyingSystem: "bodypart", source: "bodypart", reason: "COERCE"),
            .set(.bodyPartExamined, .CS, "CHEST"),
        ])
        let set = object.header.dataset
        let original = try #require(set.items(.originalAttributesSequence).last)
        let modified = try #require(original.items(.modifiedAttributesSequence).first)
        #expect(modified.string(.bodyPartExamined) == old)
        #expect(modified[.anatomicRegionSequence] != nil, "absent before: recorded empty")
        #expect(original.string(.reasonForTheAttributeModification) == "COERCE")
        #expect(set.string(.bodyPartExamined) == "CHEST")
    }

    @Test func failedWriteLeavesOriginalIntact() throws {
        let folder = try TestEnvironment.temporaryFolder("readonly")
        defer { TestEnvironment.remove(folder) }
        let source = try #require(Self.devFiles.first { (try? DicomObject(path: $0)) != nil })
        let target = folder.appendingPathComponent("a.dcm").path
        try FileManager.default.copyItem(atPath: source, toPath: target)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        let object = try DicomObject(path: target)
        try object.apply([.set(.bodyPartExamined, .CS, "CHEST")])
        chmod(folder.path, 0o555)
        defer { chmod(folder.path, 0o755) }
        if getuid() == 0 {
            // root ignores folder permissions: use a file system that is full instead (see below).
        } else {
            #expect(throws: DicomError.self) { try AtomicWriter.write(object, to: target, permissions: 0o644) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
        }
        chmod(folder.path, 0o755)
        let size = try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int ?? 0
        try FullDisk.withTinyFileSystem(bytes: size + 64 * 1024) { mount in
            let small = mount.appendingPathComponent("a.dcm").path
            try FileManager.default.copyItem(atPath: source, toPath: small)
            let original = try Data(contentsOf: URL(fileURLWithPath: small))
            // Fill the rest of the file system.
            let filler = FileManager.default.createFile(atPath: mount.appendingPathComponent("fill").path,
                                                        contents: Data(count: 1 << 20))
            _ = filler
            let big = try DicomObject(path: small)
            try big.apply([.set(.seriesDescription, .LO, String(repeating: "X", count: 60))])
            #expect(throws: DicomError.self) { try AtomicWriter.write(big, to: small, permissions: 0o644) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: small)) == original, "original intact on a full disk")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: mount.path).filter { $0.contains(".bodypart-") }
            #expect(leftovers.isEmpty, "no temporary file left behind")
        }
    }
}
