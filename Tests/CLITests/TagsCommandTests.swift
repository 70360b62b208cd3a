import BodypartTesting
import Foundation
import Testing

/// End-to-end: the built `bodypart tags` on real files and on bad input.
@Suite struct TagsCommandTests {
    static let samples = TestEnvironment.files(under: TestEnvironment.samples)
        .filter { $0.hasSuffix(".dcm") }
        .map { $0.replacingOccurrences(of: TestEnvironment.packageRoot.path + "/", with: "") }

    @Test func samplesMatchGoldenOutput() throws {
        let result = try TestEnvironment.bodypart(["tags"] + Self.samples)
        #expect(result.status == 0, "\(result.stderr)")
        let golden = TestEnvironment.packageRoot.appendingPathComponent("Tests/CLITests/Golden/tags-samples.jsonl")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(result.stdout == expected)
        // Every line is JSON with the identity keys.
        for line in result.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["seriesInstanceUID"] is String)
            #expect(object?["transferSyntaxUID"] is String)
        }
    }

    @Test func allElementsAndJSONArray() throws {
        let result = try TestEnvironment.bodypart(["tags", "--all", "--format", "json", Self.samples[0]])
        #expect(result.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let elements = try #require(array.first?["elements"] as? [[String: Any]])
        #expect(elements.contains { $0["keyword"] as? String == "PatientPosition" })
        #expect(elements.contains { $0["items"] != nil }, "sequences nested")
        #expect(!elements.contains { $0["tag"] as? String == "(7FE0,0010)" }, "header only")
    }

    @Test func badInputIsNamedAndTheRunGoesOn() throws {
        let folder = try TestEnvironment.temporaryFolder("badinput")
        defer { TestEnvironment.remove(folder) }
        let good = TestEnvironment.packageRoot.appendingPathComponent(Self.samples[0])
        let goodData = try Data(contentsOf: good)
        try goodData.write(to: folder.appendingPathComponent("a-good.dcm"))
        try Data().write(to: folder.appendingPathComponent("b-empty.dcm"))
        try Data("not dicom\n".utf8).write(to: folder.appendingPathComponent("c-text.txt"))
        try goodData.prefix(700).write(to: folder.appendingPathComponent("d-truncated.dcm"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("e-loop"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("e-loop/self").path,
                                                   withDestinationPath: "..")
        let unreadable = folder.appendingPathComponent("f-unreadable.dcm")
        try goodData.write(to: unreadable)
        chmod(unreadable.path, 0o000)
        let result = try TestEnvironment.bodypart(["tags", folder.path])
        #expect(result.status == 1, "some skipped: \(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == (getuid() == 0 ? 2 : 1), "good files still printed")
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.contains { $0.contains("b-empty.dcm: not a DICOM file (empty)") })
        #expect(errors.contains { $0.contains("c-text.txt: not a DICOM file") })
        #expect(errors.contains { $0.contains("d-truncated.dcm:") })
        #expect(errors.contains { $0.contains("link loop") })
        #expect(errors.allSatisfy { $0.hasPrefix("bodypart: ") })
    }

    @Test func exitCodesForUsageAndNoInput() throws {
        #expect(try TestEnvironment.bodypart(["tags"]).status == 64)
        #expect(try TestEnvironment.bodypart(["tags", "--format", "xml", "Samples"]).status == 64)
        let empty = try TestEnvironment.temporaryFolder("empty")
        defer { TestEnvironment.remove(empty) }
        #expect(try TestEnvironment.bodypart(["tags", empty.path]).status == 66)
    }

    /// A folder of 100,000 files (hard links to one small real file): read
    /// in one run, streaming, without running out of anything.
    @Test(.timeLimit(.minutes(5))) func hundredThousandFiles() throws {
        let folder = try TestEnvironment.temporaryFolder("many")
        defer { TestEnvironment.remove(folder) }
        let source = TestEnvironment.packageRoot.appendingPathComponent("Samples/dev-0159-cr.dcm").path
        // A file system allows 65,000 links to one inode: link to a few copies.
        let copies = try (0..<4).map { n -> String in
            let copy = folder.appendingPathComponent("base-\(n).dcm").path
            try FileManager.default.copyItem(atPath: source, toPath: copy)
            return copy
        }
        for i in 4..<100_000 {
            #expect(link(copies[i % 4], folder.appendingPathComponent(String(format: "%06d.dcm", i)).path) == 0)
        }
        let result = try TestEnvironment.bodypart(["tags", "--format", "table", folder.path])
        #expect(result.status == 0, "\(result.stderr.prefix(300))")
        #expect(result.stdout.split(separator: "\n").count == 100_001)
    }
}
