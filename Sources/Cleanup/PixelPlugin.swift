import Anatomy
import Foundation

/// The external pixel-model contract: an executable is given one argument,
/// a folder holding exactly the series' files (symbolic links), and prints
/// one JSON object on standard output:
///
///     {"bodyPart": "CHEST", "confidence": 0.93, "slices": [...]}
///
/// `bodyPart` is a defined term of Rules/body-parts.yaml, or null to
/// abstain; `confidence` is 0…1; `slices` (optional) is per-slice detail,
/// counted but not interpreted. A non-zero exit, a timeout, output that is
/// not such an object, or an unknown term is a failure: never an exception,
/// always an opinion with `failed` set, so the metadata decision stands.
public struct PixelPlugin: Sendable {
    public let model: Policy.PixelModel
    public let taxonomy: Taxonomy

    public init(model: Policy.PixelModel, taxonomy: Taxonomy) {
        self.model = model
        self.taxonomy = taxonomy
    }

    /// Runs the plug-in on `files` (one series).
    public func opinion(files: [String]) -> PixelOpinion {
        let name = model.command
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bodypart-series-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (index, file) in files.enumerated() {
                let target = URL(fileURLWithPath: file).standardizedFileURL
                let link = folder.appendingPathComponent(String(format: "%05d-", index) + target.lastPathComponent)
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
            }
        } catch {
            return .failure(model: name, "\(name): cannot prepare the series folder (\(error.localizedDescription))")
        }
        let output: PluginProcess.Output
        do throws(PluginProcess.Failure) {
            output = try PluginProcess.run(name, [folder.path], timeout: model.timeoutSeconds)
        } catch {
            return .failure(model: name, "\(name): \(error.description)")
        }
        guard output.exitCode == 0 else {
            let said = String(decoding: output.stderr, as: UTF8.self).replacingOccurrences(of: folder.path, with: "SERIES")
                .split(separator: "\n").last.map { ": \($0)" } ?? ""
            let how = output.exitCode.map { "exited with status \($0)" } ?? "was killed by signal \(output.signal ?? 0)"
            return .failure(model: name, "\(name): \(how)\(said)")
        }
        return parse(output.stdout)
    }

    /// The opinion in the plug-in's answer, or a failure saying what is wrong with it.
    func parse(_ data: Data) -> PixelOpinion {
        let name = model.command
        func bad(_ why: String) -> PixelOpinion { .failure(model: name, "\(name): bad answer: \(why)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            let text = String(decoding: data.prefix(80), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return bad("not a JSON object ('\(text)')")
        }
        guard let raw = object["bodyPart"] else { return bad("no \"bodyPart\" (a defined term, or null to abstain)") }
        guard let number = object["confidence"] as? NSNumber, (0...1).contains(number.doubleValue) else { return bad("\"confidence\" must be a number from 0 to 1") }
        var slices = 0
        if let list = object["slices"] {
            guard let array = list as? [Any] else { return bad("\"slices\" must be a list") }
            slices = array.count
        }
        let detail = slices > 0 ? "\(slices) slices" : nil
        if raw is NSNull {
            return PixelOpinion(bodyPart: nil, confidence: number.doubleValue, model: name,
                                reason: (object["reason"] as? String) ?? "the plug-in abstained", detail: detail)
        }
        guard let text = raw as? String, let term = taxonomy.term(text.uppercased()) else {
            return bad("\"bodyPart\" \(raw) is not a defined term of Rules/body-parts.yaml")
        }
        return PixelOpinion(bodyPart: term.definedTerm, confidence: number.doubleValue, model: name, detail: detail)
    }
}
