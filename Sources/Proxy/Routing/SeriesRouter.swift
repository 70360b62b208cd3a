import Anatomy
import Cleanup
import DicomCore
import DicomIO
import Foundation

/// The route table with what it needs to route a series: the taxonomy
/// (containment of body parts) and the declared destinations. Used by the
/// proxy on each new series and by `bodypart proxy route` for files on disk.
public struct SeriesRouter: Sendable {
    public let table: RouteTable
    public let taxonomy: Taxonomy
    public let destinations: [Destination]

    public init(table: RouteTable, taxonomy: Taxonomy, destinations: [Destination]) {
        self.table = table
        self.taxonomy = taxonomy
        self.destinations = destinations
    }

    /// The route of a series decided as `decision` whose first instance has `dataset`.
    public func route(_ decision: SeriesDecision?, dataset: DataSet) -> RoutingDecision {
        table.route(decision, dataset: dataset, taxonomy: taxonomy, destinations: destinations)
    }

    /// One series found on disk, decided and routed as the proxy would.
    public struct SeriesRoute: Sendable {
        public var seriesInstanceUID: String
        public var studyInstanceUID: String
        public var modality: String?
        public var files: [String]
        public var decision: SeriesDecision
        public var route: RoutingDecision
    }

    /// Decides and routes the series of `files` (grouped by Series Instance
    /// UID, each decided on its first file in path order, as the proxy
    /// decides on the first instance it forwards). Sends nothing. Files
    /// that cannot be read are returned apart, with the reason.
    public func routeFiles(_ files: [String], enricher: Enricher) -> (series: [SeriesRoute], unreadable: [(String, String)]) {
        var firstHeaders: [String: DicomHeader] = [:]
        var members: [String: [String]] = [:]
        var order: [String] = []
        var unreadable: [(String, String)] = []
        let reader = HeaderReader()
        for file in files.sorted() {
            do {
                let header = try reader.read(file)
                let uid = header.dataset.string(.seriesInstanceUID) ?? "(no series UID) \(file)"
                if firstHeaders[uid] == nil {
                    firstHeaders[uid] = header
                    order.append(uid)
                }
                members[uid, default: []].append(file)
            } catch {
                unreadable.append((file, "\(error)"))
            }
        }
        let routed = order.map { uid -> SeriesRoute in
            let header = firstHeaders[uid]!
            let decision = enricher.decide(firstInstance: header)
            return SeriesRoute(seriesInstanceUID: uid, studyInstanceUID: header.dataset.string(.studyInstanceUID) ?? "",
                               modality: header.dataset.string(.modality), files: members[uid] ?? [], decision: decision,
                               route: route(decision, dataset: header.dataset))
        }
        return (routed, unreadable)
    }
}
