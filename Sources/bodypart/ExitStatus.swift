import ArgumentParser
import Audit
import DicomCore
import Foundation

/// bodypart's exit codes, the same in every command (sysexits-style). This
/// file is the one place that maps a kind of failure to a code; README's
/// "Exit status" table is the contract and lists the same codes.
enum ExitStatus {
    /// Every input handled.
    static let ok = ExitCode(0)
    /// Some inputs skipped (each named on stderr with its reason); audit verify: chain broken.
    static let someSkipped = ExitCode(1)
    /// Wrong usage (the usage is printed).
    static let usage = ExitCode(64)
    /// Bad rules, policy, model data, or a file that is not a bodypart audit database.
    static let dataError = ExitCode(65)
    /// No input: a path that does not exist, no DICOM file under the paths, a missing audit file.
    static let noInput = ExitCode(66)
    /// Internal error (DCMTK not set up).
    static let internalError = ExitCode(70)
    /// Output cannot be created: an output folder or file that cannot be written.
    static let cannotCreate = ExitCode(73)
    /// I/O error while reading or writing.
    static let ioError = ExitCode(74)
    /// The audit file, target tree or spool is in use by another bodypart run: try again when it ends.
    static let busy = ExitCode(75)
    /// Stopped by a signal (Ctrl-C); the same command resumes.
    static let interrupted = ExitCode(130)

    /// The exit code of a failure that ends a command.
    static func code(for error: any Error) -> ExitCode {
        switch error {
        case let error as AuditError:
            switch error {
            case .cannotOpen: return noInput
            case .noReview: return someSkipped
            case .notAuditDatabase, .schemaNewer: return dataError
            case .unknownRun, .invalidValue: return usage
            case .readOnly, .writeFailed: return cannotCreate
            case .readFailed: return ioError
            }
        case let error as DicomError:
            switch error {
            case .io: return ioError
            case .setup: return internalError
            case .notDicom, .truncated, .malformed, .unsupported, .invalidEdit: return dataError
            }
        case let error as CocoaError where error.code == .fileWriteNoPermission || error.code == .fileWriteVolumeReadOnly:
            return cannotCreate
        default:
            return ioError
        }
    }

    /// Checks that every path exists before a command reads them: a missing
    /// one is named on stderr and the command exits 66 (no input), in every command.
    static func requireInputs(_ paths: [String]) throws {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            Console.error("\(path): no such file or folder")
            throw noInput
        }
    }

    /// Checks that `folder` can be written into; else names it and exits 73.
    static func requireWritableFolder(_ folder: String) throws {
        if access(folder, W_OK | X_OK) != 0 {
            Console.error("\(folder): cannot write into the output folder (\(String(cString: strerror(errno))))")
            throw cannotCreate
        }
    }
}
