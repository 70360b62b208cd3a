import Foundation

/// One accepted object waiting in a destination's queue. The file name
/// carries everything the queue needs without reading the object:
/// `<sequence>_<SeriesInstanceUID>_<SOPInstanceUID>.dcm`, the sequence
/// giving the arrival order.
public struct SpoolEntry: Sendable, Hashable, Comparable {
    /// Arrival order over the whole spool (restarts continue it).
    public let sequence: UInt64
    public let seriesInstanceUID: String
    public let sopInstanceUID: String
    /// When the object was accepted (the file's modification time after a restart).
    public var arrival: Date

    public init(sequence: UInt64, seriesInstanceUID: String, sopInstanceUID: String, arrival: Date) {
        self.sequence = sequence
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
        self.arrival = arrival
    }

    /// The file name in a queue or quarantine folder.
    public var fileName: String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
            + "_\(SpoolEntry.safe(seriesInstanceUID))_\(SpoolEntry.safe(sopInstanceUID)).dcm"
    }

    /// Parses a queue file name; nil for anything else (temporary files...).
    public init?(fileName: String, arrival: Date) {
        guard fileName.hasSuffix(".dcm"), !fileName.hasPrefix(".") else { return nil }
        let parts = fileName.dropLast(4).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, let sequence = UInt64(parts[0]) else { return nil }
        self.init(sequence: sequence, seriesInstanceUID: String(parts[1]), sopInstanceUID: String(parts[2]), arrival: arrival)
    }

    public static func < (a: SpoolEntry, b: SpoolEntry) -> Bool { a.sequence < b.sequence }

    /// UIDs are digits and dots; anything else (or an empty value) becomes
    /// safe for a file name and cannot hold the separator.
    static func safe(_ uid: String) -> String {
        let cleaned = String(uid.prefix(64).map { $0.isASCII && ($0.isNumber || $0.isLetter || $0 == ".") ? $0 : "-" })
        return cleaned.isEmpty ? "none" : cleaned
    }
}
