import CDcmtk
import DicomCore

/// The one Swift type that talks to the C shim: set-up, and the single place
/// where shim status codes become `DicomError`s.
public enum Dcmtk {
    /// Quiets DCMTK's logger, checks its data dictionary, and loads bodypart's
    /// private dictionary (`Rules/private.dic`) so that private elements read
    /// with their VRs even from implicit-VR files. Call once at start.
    public static func setUp(privateDictionary: String?) throws(DicomError) {
        let status = privateDictionary.map { bp_init($0) } ?? bp_init(nil)
        guard status == Int32(BP_OK) else { throw .setup(detail: lastError) }
    }

    static var lastError: String { String(cString: bp_last_error()) }

    /// Turns a shim status into a `DicomError` for `path`.
    static func error(_ status: Int32, path: String) -> DicomError {
        let detail = lastError
        switch Int(status) {
        case Int(BP_E_NOT_DICOM): return .notDicom(path: path, detail: detail)
        case Int(BP_E_TRUNCATED): return .truncated(path: path, detail: detail)
        case Int(BP_E_IO): return .io(path: path, detail: detail)
        case Int(BP_E_UNSUPPORTED): return .unsupported(path: path, detail: detail)
        case Int(BP_E_INVALID), Int(BP_E_FULL), Int(BP_E_NOT_FOUND): return .invalidEdit(path: path, detail: detail)
        default: return .malformed(path: path, detail: detail)
        }
    }

    /// Takes ownership of a malloc'ed C string from the shim.
    static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { bp_free(pointer) }
        return decode(pointer)
    }

    /// Takes ownership of a malloc'ed C string holding ISO 8859-1 text (each
    /// byte one code point), as DCMTK's UTF-8 conversion reads ISO_IR 100.
    static func takeLatin1(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { bp_free(pointer) }
        let length = strlen(pointer)
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            let buffer = UnsafeBufferPointer(start: bytes, count: length)
            if !buffer.contains(where: { $0 >= 0x80 }) { return String(decoding: buffer, as: UTF8.self) }
            return String(String.UnicodeScalarView(buffer.map { Unicode.Scalar($0) }))
        }
    }

    /// Decodes shim text: UTF-8 when valid, else ISO 8859-1 (the most common
    /// undeclared character set in real headers), never lossy to `?`.
    static func decode(_ pointer: UnsafePointer<CChar>) -> String {
        if let utf8 = String(validatingCString: pointer) { return utf8 }
        let length = strlen(pointer)
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            String(String.UnicodeScalarView(UnsafeBufferPointer(start: bytes, count: length).map { Unicode.Scalar($0) }))
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
