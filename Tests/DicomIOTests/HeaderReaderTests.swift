import BodypartTesting
import DicomCore
import Foundation
import Testing

@testable import DicomIO

@Suite struct HeaderReaderTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static let devFiles = TestEnvironment.files(under: TestEnvironment.dicomDevFiles)

    @Test func readsEveryDevFileOrSaysWhyNot() throws {
        #expect(Self.devFiles.count >= 460)
        var read = 0
        var failures: [String] = []
        for path in Self.devFiles {
            do {
                let header = try HeaderReader().read(path)
                #expect(header.dataset[.pixelData] == nil, "Pixel Data must not be in a header read: \(path)")
                read += 1
            } catch {
                failures.append(error.description)
                #expect(error.description.hasPrefix(path + ": "), "error names the file: \(error)")
                #expect(!error.description.contains("\n"))
            }
        }
        // dicom-dev holds a few non-DICOM-conforming objects; nearly all must read.
        #expect(read >= Self.devFiles.count - 5, "failures: \(failures)")
    }

    /// Compares our values with the real `dcmdump +U8` for the classifier's
    /// keywords on one file of each source (and each transfer syntax seen).
    @Test func valuesMatchDcmdump() throws {
        let dcmdump = try #require(TestEnvironment.which("dcmdump"), "dcmdump (Debian dcmtk) is needed")
        var bySource: [String: String] = [:]
        for path in Self.devFiles {
            let rel = path.replacingOccurrences(of: TestEnvironment.dicomDevFiles.path + "/", with: "")
            let source = String(rel.split(separator: "/").first ?? "")
            if bySource[source] == nil, (try? HeaderReader().read(path)) != nil { bySource[source] = path }
        }
        #expect(bySource.count >= 12)
        let keywords = ["Modality", "StudyDescription", "SeriesDescription", "ProtocolName", "BodyPartExamined",
                        "Manufacturer", "ImageType", "PatientPosition", "SliceThickness", "ImageOrientationPatient"]
        var compared = 0
        for path in bySource.values.sorted() {
            let header = try HeaderReader().read(path)
            for keyword in keywords {
                let tag = try #require(Tag.byKeyword[keyword])
                // Where the declared character set cannot be converted (the
                // ELSCINT file says 'ISO 2022 IR 100'), dcmdump +U8 gives up;
                // we keep the values as stored and say so: compare those.
                let charset = header.textIsUTF8 ? ["+U8"] : []
                let output = try TestEnvironment.run(dcmdump, ["-q", "+L"] + charset + ["+P", keyword, path]).stdout
                let theirs = Self.dcmdumpValue(output)
                let ours = header.dataset.string(tag)
                #expect(ours == theirs, "\(keyword) in \(path): ours \(ours ?? "nil"), dcmdump \(theirs ?? "nil")")
                compared += 1
            }
        }
        #expect(compared > 100)
    }

    /// The bracketed value of dcmdump's first line (nil for absent/empty).
    static func dcmdumpValue(_ output: String) -> String? {
        guard let line = output.split(separator: "\n").first,
              let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]"), open < close
        else { return nil }
        let value = DataSet.trimmed(String(line[line.index(after: open)..<close]))
        return value.isEmpty ? nil : value
    }

    @Test func convertsCharacterSetsToUTF8() throws {
        var nonASCII: [String] = []
        for path in Self.devFiles {
            guard let header = try? HeaderReader().read(path) else { continue }
            let text = [header.dataset.string(.studyDescription), header.dataset.string(.seriesDescription),
                        header.dataset.string(Tag(0x0010, 0x0010))].compactMap { $0 }.joined(separator: " ")
            if text.unicodeScalars.contains(where: { $0.value > 127 }) { nonASCII.append(text) }
            #expect(!text.contains("\u{FFFD}"), "replacement character in \(path)")
        }
        // Russian, Vietnamese and accented Latin descriptions exist in dicom-dev.
        #expect(nonASCII.contains { $0.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) } }, "Cyrillic")
        #expect(nonASCII.count >= 3)
    }

    @Test func rejectsNonDicomWithOneLine() throws {
        let folder = try TestEnvironment.temporaryFolder()
        defer { TestEnvironment.remove(folder) }
        let cases: [(String, Data)] = [
            ("empty.dcm", Data()),
            ("text.txt", Data("Hello, this is not DICOM at all.\n".utf8)),
            ("png.png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 200))),
        ]
        for (name, data) in cases {
            let path = folder.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            #expect(throws: DicomError.self) { try HeaderReader().read(path) }
            do { _ = try HeaderReader().read(path) } catch {
                #expect(error.kind == "not-dicom", "\(name): \(error)")
            }
        }
        #expect(throws: DicomError.self) { try HeaderReader().read(folder.appendingPathComponent("missing.dcm").path) }
    }
}
