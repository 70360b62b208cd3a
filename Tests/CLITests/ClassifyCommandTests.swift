import BodypartTesting
import Foundation
import Testing

/// End-to-end: the built `bodypart classify` and `bodypart evaluate --labels` with the shipped
/// model on the sample files.
@Suite struct ClassifyCommandTests {
    static let samples = TestEnvironment.files(under: TestEnvironment.samples)
        .filter { $0.hasSuffix(".dcm") }
        .map { $0.replacingOccurrences(of: TestEnvironment.packageRoot.path + "/", with: "") }

    @Test func samplesMatchGoldenOutput() throws {
        let result = try TestEnvironment.bodypart(["classify"] + Self.samples)
        #expect(result.status == 0, "\(result.stderr)")
        let golden = TestEnvironment.packageRoot.appendingPathComponent("Tests/CLITests/Golden/classify-samples.jsonl")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(result.stdout == expected, "golden changes with the model: UPDATE_GOLDEN=1 after retraining")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == Self.samples.count, "one series per sample file")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["seriesInstanceUID"] is String)
            #expect(object["topClass"] is String)
            let confidence = try #require(object["confidence"] as? Double)
            #expect((0...1).contains(confidence))
            let abstained = try #require(object["abstained"] as? Bool)
            #expect(abstained == (object["bodyPart"] is NSNull))
            #expect((object["modelID"] as? String)?.hasPrefix("bp-meta-") == true)
        }
    }

    @Test func tableFormatHasOneRowPerSeries() throws {
        let result = try TestEnvironment.bodypart(["classify", "--format", "table"] + Self.samples)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.first?.hasPrefix("SERIES\tMODALITY\tBODYPART") == true)
        #expect(rows.count == Self.samples.count + 1)
    }

    @Test func badModelFileIsOneLineAndExit65() throws {
        let folder = try TestEnvironment.temporaryFolder("badmodel")
        defer { TestEnvironment.remove(folder) }
        let model = folder.appendingPathComponent("x.bpmodel")
        try Data("not a model".utf8).write(to: model)
        let result = try TestEnvironment.bodypart(["classify", "--model", model.path, Self.samples[0]])
        #expect(result.status == 65)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("not a bodypart model file"))
    }

    /// `evaluate --labels` on the samples, labelled from dicom-dev's labels.csv.
    @Test func evaluateLabelsPrintsTheThreeFigures() throws {
        let labels = TestEnvironment.sharedData.appendingPathComponent("dicom-dev/labels.csv")
        let text = try String(contentsOf: labels, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)  // the file has CRLF line ends
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let id = try #require(header.firstIndex(of: "series_id"))
        let uid = try #require(header.firstIndex(of: "series_instance_uid"))
        let label = try #require(header.firstIndex(of: "label"))
        // Sample files are named after their dicom-dev series id (dev-0001-ct.dcm); the ids,
        // labels and UIDs have no commas, so a plain split finds them on the rows we need.
        let ids = Set(Self.samples.map { String(($0 as NSString).lastPathComponent.prefix(8)) })
        var csv = "series_instance_uid,label\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > max(uid, label), ids.contains(fields[id]) else { continue }
            // Rows whose quoted fields contain commas shift the later columns: take the UID from the end.
            let u = fields.count == header.count ? fields[uid] : fields[fields.count - (header.count - uid)]
            csv += "\(u),\(fields[label])\n"
        }
        let folder = try TestEnvironment.temporaryFolder("evaluate")
        defer { TestEnvironment.remove(folder) }
        let subset = folder.appendingPathComponent("labels.csv")
        try csv.write(to: subset, atomically: true, encoding: .utf8)
        let result = try TestEnvironment.bodypart(["evaluate", "--labels", subset.path] + Self.samples)
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["model as-is", "model hidden", "model corrupted", "rules hidden"] {
            let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix(name) }, "\(name) line")
            #expect(line.contains("coverage") && line.contains("acc(answered)") && line.contains("wrong"))
        }
        #expect(result.stderr.contains("labelled"))
    }

    /// A real MR file whose descriptions are taken out (dcmodify): its "SENSE-Head" receive coil
    /// answers HEAD, read from the file by the header scan; a head-neck array says nothing.
    @Test func aHeadCoilAnswersWhereNoDescriptionNamesARegion() throws {
        let folder = try TestEnvironment.temporaryFolder("coil")
        defer { TestEnvironment.remove(folder) }
        let file = folder.appendingPathComponent("mr.dcm")
        try FileManager.default.copyItem(at: TestEnvironment.packageRoot.appendingPathComponent("Samples/dev-0155-mr.dcm"), to: file)
        let erase = ["(0008,1030)", "(0032,1060)", "(0040,0254)"].flatMap { ["-ea", $0] }
        #expect(try TestEnvironment.run("dcmodify", ["-nb"] + erase + [file.path]).status == 0)
        let head = try TestEnvironment.bodypart(["classify", "--hide-body-part-examined", file.path])
        #expect(head.status == 0, "\(head.stderr)")
        #expect(head.stdout.contains("\"bodyPart\":\"HEAD\""), "\(head.stdout)")
        #expect(head.stdout.contains("\"basis\":\"coil\""), "\(head.stdout)")
        #expect(try TestEnvironment.run("dcmodify", ["-nb", "-m", "(0018,1250)=HeadNeck_20", file.path]).status == 0)
        let mixed = try TestEnvironment.bodypart(["classify", "--hide-body-part-examined", file.path])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        #expect(!mixed.stdout.contains("\"basis\":\"coil\""), "\(mixed.stdout)")
    }
}
