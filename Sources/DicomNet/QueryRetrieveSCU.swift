import CDcmtk
import DicomCore

/// The level of a Study Root query or retrieve (PS3.4 C.6.2).
public enum QueryLevel: String, Sendable, CaseIterable {
    case study = "STUDY"
    case series = "SERIES"
}

/// One C-FIND match: the attributes the peer returned, by DICOM keyword
/// (`StudyInstanceUID`, `ModalitiesInStudy`...), values as text (several
/// values joined by `\`), sequences left out.
public struct QueryMatch: Sendable, Hashable {
    public let values: [String: String]

    public init(values: [String: String]) { self.values = values }

    /// The value of `keyword`; nil when the peer did not return it, "" when it returned it empty.
    public subscript(keyword: String) -> String? { values[keyword] }
}

/// How a C-MOVE ended: the final status and sub-operation counts (PS3.4 C.4.2.1.6).
public struct MoveResult: Sendable, Hashable {
    public let status: DIMSEStatus
    public let completed: Int
    public let failed: Int
    public let warning: Int
    public let remaining: Int

    public init(status: DIMSEStatus, completed: Int, failed: Int, warning: Int, remaining: Int) {
        self.status = status
        self.completed = completed
        self.failed = failed
        self.warning = warning
        self.remaining = remaining
    }
}

/// C-FIND and C-MOVE SCU in the Study Root query/retrieve model, each call on
/// an association of its own (a query archive is asked rarely; nothing is
/// kept open). Calls block the calling thread until the final response.
public struct QueryRetrieveSCU: Sendable {
    public let peer: DicomPeer
    public let settings: AssociationSettings

    public init(peer: DicomPeer, settings: AssociationSettings) {
        self.peer = peer
        self.settings = settings
    }

    /// C-ECHO to the same peer.
    public func echo() throws(DicomNetError) { try VerificationSCU.echo(peer, settings: settings) }

    /// The matches of a C-FIND at `level`. `keys` are matching keys (a value)
    /// and return keys (""), by DICOM keyword; QueryRetrieveLevel is set from
    /// `level`. Throws `.refused` when the final status is a failure or cancel
    /// (the matches received until then are lost with it).
    public func find(level: QueryLevel, keys: [String: String]) throws(DicomNetError) -> [QueryMatch] {
        final class Collector { var matches: [QueryMatch] = [] }
        let collector = Collector()
        var final: UInt16 = 0
        let sorted = keys.sorted { $0.key < $1.key }
        let status = Shim.withSCUConfig(peer, settings) { config in
            Shim.withCStrings(sorted.map(\.key)) { keywords, count in
                Shim.withCStrings(sorted.map(\.value)) { values, _ in
                    bp_scu_find(
                        config, level.rawValue, keywords, values, count, Unmanaged.passUnretained(collector).toOpaque(),
                        { context, count, keywords, values in
                            guard let context, let keywords, let values else { return }
                            var match: [String: String] = [:]
                            for i in 0..<count {
                                guard let k = keywords[i], let v = values[i] else { continue }
                                match[String(cString: k)] = String(cString: v)
                            }
                            Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().matches.append(
                                QueryMatch(values: match))
                        }, &final)
                }
            }
        }
        if let error = Shim.error(status, peer: peer) { throw error }
        let result = DIMSEStatus(final)
        guard result.isSuccessOrWarning else {
            throw .refused(peer: peer.description, operation: "C-FIND", status: result, detail: "")
        }
        return collector.matches
    }

    /// C-MOVE of what `keys` identify at `level` to the AE title `destination`
    /// (the peer must know it as a modality). Returns the final status and
    /// counts when it is success or warning (some sub-operations failed:
    /// see `failed`); throws `.refused` for a failure or cancel status.
    public func move(level: QueryLevel, keys: [String: String], to destination: String) throws(DicomNetError)
        -> MoveResult
    {
        var result = bp_move_result()
        let sorted = keys.sorted { $0.key < $1.key }
        let status = Shim.withSCUConfig(peer, settings) { config in
            Shim.withCStrings(sorted.map(\.key)) { keywords, count in
                Shim.withCStrings(sorted.map(\.value)) { values, _ in
                    bp_scu_move(config, level.rawValue, destination, keywords, values, count, &result)
                }
            }
        }
        if let error = Shim.error(status, peer: peer) { throw error }
        let move = MoveResult(
            status: DIMSEStatus(result.status), completed: Int(result.completed), failed: Int(result.failed),
            warning: Int(result.warning), remaining: Int(result.remaining))
        guard move.status.isSuccessOrWarning else {
            throw .refused(
                peer: peer.description, operation: "C-MOVE to \(destination)", status: move.status,
                detail: "\(move.completed) completed, \(move.failed) failed, \(move.remaining) remaining")
        }
        return move
    }
}
