import BodypartTesting
import DicomCore
import Foundation
import Testing

@testable import DicomIO

/// Issue 14.5: elements no edit names keep their bytes, however malformed.
/// DCMTK's automatic input correction rewrote `REM SAMPLES 1` (a
/// SeriesInstanceUID with spaces) as `REMSAMPLES1`, unaudited.
@Suite(.serialized) struct UnnamedBytesTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static let abdo = TestEnvironment.dicomDevFiles
        .appendingPathComponent("ivmartel__dwv/tests/data/gdcm-CT-MONO2-8-abdo.dcm").path

    /// Writes `source` with one edit (BodyPartExamined) and returns the
    /// top-level elements whose stored bytes changed, other than the edit's.
    static func changedUnnamed(_ source: String, in folder: URL, name: String) throws -> [String] {
        let object = try DicomObject(path: source)
        try object.apply([.set(.bodyPartExamined, .CS, "ABDOMEN")])
        let target = folder.appendingPathComponent(name).path
        try AtomicWriter.write(object, to: target, permissions: 0o644)
        guard let before = RawElements.read(source), let after = RawElements.read(target) else { return [] }
        let named: Set<UInt32> = [0x0018_0015]
        let old = Dictionary(before.map { ($0.tag, $0) }, uniquingKeysWith: { a, _ in a })
        return after.compactMap { element -> String? in
            guard element.tag >> 16 != 0x0002, element.tag & 0xFFFF != 0, !named.contains(element.tag),
                  let value = element.value, let original = old[element.tag]?.value, original != value
            else { return nil }
            return "\(element.tagText) \(String(decoding: original, as: UTF8.self).debugDescription) -> \(String(decoding: value, as: UTF8.self).debugDescription)"
        }
    }

    @Test func uidWithSpacesIsKeptByteForByte() throws {
        let folder = try TestEnvironment.temporaryFolder("unnamed")
        defer { TestEnvironment.remove(folder) }
        #expect(try Self.changedUnnamed(Self.abdo, in: folder, name: "abdo.dcm") == [])
        // And it is read as stored (so series grouping and the audit see the real value).
        #expect(try HeaderReader().read(Self.abdo).dataset.string(.seriesInstanceUID) == "REM SAMPLES 1")
    }

    @Test func everyDevFileKeepsItsUnnamedValues() throws {
        let folder = try TestEnvironment.temporaryFolder("unnamed-all")
        defer { TestEnvironment.remove(folder) }
        var compared = 0
        var changed: [String] = []
        for (i, path) in TestEnvironment.files(under: TestEnvironment.dicomDevFiles).enumerated() {
            guard (try? DicomObject(path: path)) != nil, RawElements.read(path) != nil else { continue }
            let differences = try Self.changedUnnamed(path, in: folder, name: "\(i).dcm")
            if !differences.isEmpty { changed.append("\(path): \(differences.prefix(3).joined(separator: "; "))") }
            compared += 1
        }
        #expect(compared > 300)
        #expect(changed.isEmpty, "\(changed.count) files changed: \(changed.prefix(5).joined(separator: "\n"))")
    }
}
