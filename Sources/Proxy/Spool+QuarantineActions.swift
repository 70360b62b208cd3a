import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Spool {
    /// The quarantined object of `destination` named `fileName`, or nil.
    public func quarantinedEntry(named fileName: String, for destination: Destination) -> SpoolEntry? {
        guard !fileName.contains("/"), fileName != "..",
            let entry = SpoolEntry(fileName: fileName, arrival: Date()),
            access(quarantine(destination) + "/" + fileName, F_OK) == 0
        else { return nil }
        return entry
    }

    /// Moves one quarantined object back into `destination`'s queue (what
    /// `requeueQuarantined` does for all of them).
    public func requeue(_ entry: SpoolEntry, for destination: Destination) throws(ProxyError) {
        let source = quarantine(destination) + "/" + entry.fileName
        guard rename(source, path(of: entry, for: destination)) == 0 else {
            throw .spool(path: source, detail: "cannot re-queue: \(Spool.errnoText())")
        }
        unlink(source + ".json")
        _ = Spool.syncFolder(queue(destination))
    }

    /// Deletes one quarantined object of `destination` and its note: it will
    /// never be delivered there. The caller audits it.
    public func discard(_ entry: SpoolEntry, for destination: Destination) throws(ProxyError) {
        let source = quarantine(destination) + "/" + entry.fileName
        guard unlink(source) == 0 else { throw .spool(path: source, detail: "cannot discard: \(Spool.errnoText())") }
        unlink(source + ".json")
        _ = Spool.syncFolder(quarantine(destination))
    }
}
