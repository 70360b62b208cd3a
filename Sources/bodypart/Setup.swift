import Foundation
import DicomCore
import DicomIO

/// Start-up shared by the commands: find the rules folder, set DCMTK up with
/// bodypart's private dictionary.
enum Setup {
    /// Prepares DICOM reading and writing; errors become one line and exit 70.
    static func dicom(rules: String? = nil) throws {
        let dictionary: String?
        do {
            dictionary = try rulesFolder(explicit: rules).appendingPathComponent("private.dic").path
        } catch {
            Console.error("\(error); private tags will show without names")
            dictionary = nil
        }
        do {
            try Dcmtk.setUp(privateDictionary: dictionary)
        } catch {
            Console.error(error.description)
            throw ExitStatus.internalError
        }
    }
}

extension Setup {
    struct RulesNotFound: Error, CustomStringConvertible {
        var description: String { "cannot find the Rules folder; set BODYPART_RULES" }
    }

    // Interim: replaced by Anatomy.RulesDirectory once it lands.
    static func rulesFolder(explicit: String?) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = ProcessInfo.processInfo.environment["BODYPART_RULES"] { return URL(fileURLWithPath: env) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("Rules")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("private.dic").path) { return candidate }
            url.deleteLastPathComponent()
        }
        throw RulesNotFound()
    }
}
