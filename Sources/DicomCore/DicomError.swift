/// Why a DICOM file could not be read or written. Each case renders as one
/// line a person can act on.
public enum DicomError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not DICOM at all (text, image, empty).
    case notDicom(path: String, detail: String)
    /// The data ends before an element or item is complete.
    case truncated(path: String, detail: String)
    /// Structure invalid: wrong VR, length, nesting.
    case malformed(path: String, detail: String)
    /// The file system refused: missing, unreadable, unwritable, full.
    case io(path: String, detail: String)
    /// A transfer syntax or codec DCMTK cannot handle.
    case unsupported(path: String, detail: String)
    /// An edit that cannot be applied (bad VR, no free private block…).
    case invalidEdit(path: String, detail: String)
    /// The DICOM toolkit is not set up (dictionary missing).
    case setup(detail: String)

    public var path: String? {
        switch self {
        case .notDicom(let p, _), .truncated(let p, _), .malformed(let p, _), .io(let p, _),
            .unsupported(let p, _), .invalidEdit(let p, _):
            return p
        case .setup: return nil
        }
    }

    /// A short kind name for summaries and the audit (`not-dicom`, `truncated`…).
    public var kind: String {
        switch self {
        case .notDicom: "not-dicom"
        case .truncated: "truncated"
        case .malformed: "malformed"
        case .io: "io"
        case .unsupported: "unsupported"
        case .invalidEdit: "invalid-edit"
        case .setup: "setup"
        }
    }

    public var description: String {
        switch self {
        case .notDicom(let p, let d), .truncated(let p, let d), .malformed(let p, let d), .io(let p, let d),
            .unsupported(let p, let d), .invalidEdit(let p, let d):
            return "\(p): \(d)"
        case .setup(let d):
            return d
        }
    }
}
