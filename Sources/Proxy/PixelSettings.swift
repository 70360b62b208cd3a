import Cleanup
import Foundation

/// The proxy's pixel cross-check (`pixel:` in Rules/proxy.yaml). Which
/// series are checked is the policy's `pixelCheck`; when, its `quietHours`
/// and `settle_seconds` here (see PixelWorker, docs/proxy.md).
public struct PixelSettings: Sendable, Hashable {
    /// Seconds without a new instance of a series before it is checked.
    public var settleSeconds: Double = 120
    /// The largest share of the spool's file system the kept objects may
    /// take (they stay on disk after delivery until checked). A series that
    /// would go beyond it is not checked (`pixel-skipped` in the audit).
    public var maxSpoolShare: Double = 0.25

    public init() {}

    func validate() throws(ProxyError) {
        guard settleSeconds.isFinite, settleSeconds >= 0 else { throw .configuration("pixel.settle_seconds must be 0 or more") }
        guard maxSpoolShare > 0, maxSpoolShare <= 1 else { throw .configuration("pixel.max_spool_share must be more than 0, at most 1") }
    }

    /// Reads the `pixel:` mapping of a YAML configuration.
    mutating func apply(_ value: Any, file: String) throws(ProxyError) {
        guard let map = value as? [String: Any] else { throw .configuration("\(file): pixel must be a mapping") }
        for (name, setting) in map {
            let number: Double
            if let value = setting as? Int {
                number = Double(value)
            } else if let value = setting as? Double {
                number = value
            } else {
                throw .configuration("\(file): pixel.\(name) must be a number")
            }
            switch name {
            case "settle_seconds": settleSeconds = number
            case "max_spool_share": maxSpoolShare = number
            default: throw .configuration("\(file): unknown key pixel.\(name) (settle_seconds, max_spool_share)")
            }
        }
    }
}

/// When a series kept for the pixel check is checked: once no instance has
/// arrived for `settleSeconds`, and, when the policy has `quietHours`, only
/// inside that daily window (local time). A pure function of the clock
/// values given, so that it can be tested at any time of day.
public struct PixelSchedule: Sendable {
    /// Where a pending series stands.
    public enum State: Sendable, Hashable {
        /// Instances may still come: due in this many seconds at the earliest.
        case settling(seconds: Double)
        /// Settled, waiting for the quiet hours.
        case waitingForQuietHours
        /// To be checked now.
        case due
    }

    public var settleSeconds: Double
    public var quietHours: Policy.QuietHours?
    /// The calendar (time zone) the quiet hours are read in.
    public var calendar: Calendar

    public init(settleSeconds: Double, quietHours: Policy.QuietHours?, calendar: Calendar = .current) {
        self.settleSeconds = settleSeconds
        self.quietHours = quietHours
        self.calendar = calendar
    }

    /// The state of a series whose last instance arrived at `lastArrival`, at `now`.
    public func state(lastArrival: Date, now: Date) -> State {
        let quiet = now.timeIntervalSince(lastArrival)
        if quiet < settleSeconds { return .settling(seconds: settleSeconds - quiet) }
        if let quietHours, !quietHours.contains(now, calendar: calendar) { return .waitingForQuietHours }
        return .due
    }
}
