import Anatomy
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
            dictionary = try RulesDirectory.locate(explicit: rules).appendingPathComponent("private.dic").path
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
