import CDcmtk
import DicomCore

/// The structure check of a received dataset before anything parses it
/// (the shim's `bp_scan_file`, the same bounded scan the file readers run):
/// DCMTK's parser recurses once per sequence level and trusts the lengths it
/// reads, so a dataset nested thousands of levels deep would crash the
/// receiver, and one cut inside Pixel Data would read as a complete header.
/// Each problem has its own failure status, which the sender sees.
public enum DatasetScan {
    /// Deeper than any real object (SR trees nest about ten levels); far
    /// below what overflows an association thread's stack (about 5,000).
    public static let depthLimit = UInt32(BP_SCAN_DEFAULT_MAX_DEPTH)

    /// Why a received dataset is refused, and the C-STORE status that says so.
    public struct Problem: Sendable, Error, CustomStringConvertible {
        /// `.truncatedDataSet`, `.nestedTooDeep`, `.malformedDataSet` or `.cannotUnderstand`.
        public let status: DIMSEStatus
        public let kind: String
        public let detail: String
        public var description: String { "\(kind): \(detail)" }
    }

    /// Nil when the dataset's structure is sound, else what is wrong with it.
    /// The whole object is scanned, Pixel Data included (a cut there is a truncation).
    public static func problem(in path: String) -> Problem? {
        var result = bp_scan_result()
        let status = bp_scan_file(path, 0, depthLimit, &result)
        let detail = withUnsafeBytes(of: result.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch status {
        case Int32(BP_OK): return nil
        case Int32(BP_E_TRUNCATED): return Problem(status: .truncatedDataSet, kind: "truncated", detail: detail)
        case Int32(BP_E_MALFORMED) where result.deepest > depthLimit:
            return Problem(status: .nestedTooDeep, kind: "nested too deep", detail: detail)
        case Int32(BP_E_MALFORMED): return Problem(status: .malformedDataSet, kind: "malformed", detail: detail)
        default:
            return Problem(
                status: .cannotUnderstand, kind: "unreadable",
                detail: detail.isEmpty ? "cannot read the received file" : detail)
        }
    }
}
