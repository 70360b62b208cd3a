import Audit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Publishes the audit log's anchor at the end of a run: one line on stderr
/// and one in the system log (syslog(3), so the journal keeps it outside the
/// audit file), for `bodypart audit verify --expect`.
enum AuditHead {
    /// `bodypart: audit head FILE ANCHOR` on stderr and in syslog; a failure
    /// to read the anchor is reported, never fatal (the run is done).
    static func publish(_ store: AuditStore, path: String) {
        do {
            let anchor = try store.anchor()
            Console.status("bodypart: audit head \(path) \(anchor)\n")
            log("audit head \(path) \(anchor)")
        } catch {
            Console.error("cannot read the audit head: \(error)")
        }
    }

    /// Opens `path` read-only and publishes its anchor (the proxy, at shutdown).
    static func publish(path: String) {
        guard let store = try? AuditStore(path: path, readOnly: true) else { return }
        publish(store, path: path)
    }

    /// One notice in the system log under the name `bodypart`.
    static func log(_ message: String) {
        openlog("bodypart", LOG_PID, LOG_USER)
        withVaList([message]) { vsyslog(LOG_NOTICE, "%s", $0) }
        closelog()
    }
}
