import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a received object was refused (NAME.json beside its bytes in SPOOL/refused).
public struct RefusedNote: Codable, Sendable, Hashable {
    public var reason: String
    /// The C-STORE status the sender got, as 0xXXXX.
    public var status: String
    public var callingAE: String
    public var peer: String
    public var sopInstanceUID: String
    public var refusedAt: Date
}

extension Spool {
    /// Objects answered with a failure status because their dataset cannot be
    /// used (truncated, nested too deep, malformed, unreadable, another SOP
    /// instance than the command's): kept here for inspection, never forwarded.
    public var refusedFolder: String { root + "/refused" }

    /// At most this many refused objects are kept (the oldest go first).
    static let refusedKept = 200

    /// Moves a received file into the refused folder with a note; never
    /// throws (the sender's answer does not depend on it). Returns the name kept.
    @discardableResult
    func keepRefused(receivedFile path: String, note: RefusedNote) -> String? {
        let folder = refusedFolder
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = String(format: "%.6f", note.refusedAt.timeIntervalSince1970)
        let name = "\(stamp)_\(SpoolEntry.safe(note.sopInstanceUID)).dcm"
        guard rename(path, folder + "/" + name) == 0 else {
            unlink(path)
            return nil
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(note) {
            _ = FileManager.default.createFile(atPath: folder + "/" + name + ".json", contents: data)
        }
        let kept = refusedNames()
        for old in kept.dropLast(Spool.refusedKept) {
            unlink(folder + "/" + old)
            unlink(folder + "/" + old + ".json")
        }
        return name
    }

    /// The refused objects' file names, oldest first.
    public func refusedNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: refusedFolder)) ?? []
        return names.filter { $0.hasSuffix(".dcm") }.sorted()
    }

    /// The note of a refused object, if readable.
    public func refusedNote(_ name: String) -> RefusedNote? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return FileManager.default.contents(atPath: refusedFolder + "/" + name + ".json")
            .flatMap { try? decoder.decode(RefusedNote.self, from: $0) }
    }
}
