import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why an object sits in quarantine (NAME.json beside it).
public struct QuarantineNote: Codable, Sendable, Hashable {
    public var reason: String
    public var attempts: Int
    public var quarantinedAt: Date
    public var destination: String
}

extension Spool {
    /// Moves `entry` out of `destination`'s queue into its quarantine folder,
    /// with a note saying why.
    public func quarantine(_ entry: SpoolEntry, for destination: Destination, reason: String, attempts: Int) throws(ProxyError) {
        let folder = quarantine(destination)
        let target = folder + "/" + entry.fileName
        let note = QuarantineNote(reason: reason, attempts: attempts, quarantinedAt: Date(), destination: destination.description)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(note) {
            _ = FileManager.default.createFile(atPath: target + ".json", contents: data)
        }
        guard rename(path(of: entry, for: destination), target) == 0 else {
            throw .spool(path: target, detail: "cannot quarantine: \(Spool.errnoText())")
        }
        _ = Spool.syncFolder(folder)
    }

    /// Objects in `destination`'s quarantine with their notes, oldest first.
    public func quarantined(for destination: Destination) -> [(entry: SpoolEntry, note: QuarantineNote?)] {
        let folder = quarantine(destination)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return Spool.entries(in: folder).map { entry in
            let data = FileManager.default.contents(atPath: folder + "/" + entry.fileName + ".json")
            return (entry, data.flatMap { try? decoder.decode(QuarantineNote.self, from: $0) })
        }
    }

    /// Moves quarantined objects back into their queues (all destinations, or
    /// only `only`); a running proxy picks them up at its next scan.
    /// Returns how many were re-queued.
    @discardableResult
    public func requeueQuarantined(only: Destination? = nil) throws(ProxyError) -> Int {
        var count = 0
        for destination in destinations where only == nil || only == destination {
            let folder = quarantine(destination)
            for entry in Spool.entries(in: folder) {
                guard rename(folder + "/" + entry.fileName, path(of: entry, for: destination)) == 0 else {
                    throw .spool(path: folder + "/" + entry.fileName, detail: "cannot re-queue: \(Spool.errnoText())")
                }
                unlink(folder + "/" + entry.fileName + ".json")
                count += 1
            }
            _ = Spool.syncFolder(queue(destination))
        }
        return count
    }
}
