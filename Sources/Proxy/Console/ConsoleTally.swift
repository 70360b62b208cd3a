import DicomNet
import Foundation
import Synchronization

/// Associations open now, from the SCP's events (an id enters at accept
/// and leaves at release, abort or failure), for the console's overview.
final class ConsoleTally: Sendable {
    private let open = Mutex<Set<UInt64>>([])

    func event(_ event: StorageSCP.Event, _ id: UInt64) {
        open.withLock { ids in
            switch event {
            case .accepted: ids.insert(id)
            case .released, .aborted, .failed: ids.remove(id)
            case .rejected, .storeRefused, .connectionClosed: break
            }
        }
    }

    var associationsOpen: Int { open.withLock { $0.count } }
}

/// Values of a Prometheus text exposition by series name with labels
/// (`bodypart_proxy_forwarded_total{destination="X"}`): the console shows
/// the numbers `/metrics` gives, read through the same function.
enum MetricsText {
    static func values(_ exposition: [UInt8]) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            values[String(line[..<space])] = value
        }
        return values
    }
}
