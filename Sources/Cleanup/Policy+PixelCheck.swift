import Foundation

/// The policy keys of the pixel cross-check (`pixelCheck`, `pixelModel`)
/// and of the proxy's quiet hours (`quietHours`); see Rules/policy.yaml.
extension Policy {
    /// Which CT series `clean` checks against their pixels.
    public enum PixelCheckMode: Sendable, Hashable, CustomStringConvertible {
        /// Never run a pixel check.
        case never
        /// Series whose metadata decision is ABSTAINED or whose prediction is
        /// below `thresholds.correct` (the default).
        case lowConfidence
        /// A fixed share of series (0…100 %), chosen by SeriesInstanceUID so that
        /// a rerun or resume picks the same ones.
        case sample(percent: Double)
        /// Every CT series.
        case always

        /// The value as written in the policy (`sample:10%`).
        public var description: String {
            switch self {
            case .never: "never"
            case .lowConfidence: "lowConfidence"
            case .sample(let percent): "sample:\(percent.formatted(.number.grouping(.never)))%"
            case .always: "always"
            }
        }

        /// Parses `never`, `lowConfidence`, `sample:N%` or `always`; nil otherwise.
        public init?(_ text: String) {
            switch text {
            case "never": self = .never
            case "lowConfidence": self = .lowConfidence
            case "always": self = .always
            default:
                guard text.hasPrefix("sample:"), text.hasSuffix("%"),
                      let percent = Double(text.dropFirst("sample:".count).dropLast()), (0...100).contains(percent)
                else { return nil }
                self = .sample(percent: percent)
            }
        }
    }

    /// An external pixel model: an executable given a series folder that
    /// prints `{"bodyPart":…,"confidence":…,"slices":[…]}` (docs/pixelcheck.md).
    public struct PixelModel: Sendable, Hashable {
        /// Absolute path of the executable.
        public var command: String
        /// Seconds after which the plug-in is killed and its answer ignored.
        public var timeoutSeconds: Double

        public init(command: String, timeoutSeconds: Double = 30) {
            self.command = command
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// A daily window, local time, in which the proxy defers pixel checks
    /// (`"22:00-06:00"`; may wrap past midnight). `clean` ignores it.
    public struct QuietHours: Sendable, Hashable, CustomStringConvertible {
        /// Minutes after midnight.
        public var start: Int
        public var end: Int

        /// Parses `HH:MM-HH:MM` (24-hour clock, start ≠ end); nil otherwise.
        public init?(_ text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = QuietHours.minutes(parts[0]), let end = QuietHours.minutes(parts[1]),
                  start != end else { return nil }
            (self.start, self.end) = (start, end)
        }

        /// True when `minute` (after midnight) falls in the window, end excluded.
        public func contains(minute: Int) -> Bool {
            start < end ? (start..<end).contains(minute) : minute >= start || minute < end
        }

        /// True when `date` falls in the window, in `calendar`'s time zone
        /// (the local one by default).
        public func contains(_ date: Date, calendar: Calendar = .current) -> Bool {
            let parts = calendar.dateComponents([.hour, .minute], from: date)
            return contains(minute: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
        }

        public var description: String {
            String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60)
        }

        private static func minutes(_ text: Substring) -> Int? {
            let hm = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
                  (0..<24).contains(h), (0..<60).contains(m) else { return nil }
            return h * 60 + m
        }
    }

    /// Whether `pixelCheck` selects a series, given its metadata decision.
    /// Only CT series are ever checked (Hounsfield units); SKIPPED never.
    public func selectsPixelCheck(modality: String?, decision: SeriesDecision, seriesInstanceUID: String) -> Bool {
        guard modality?.uppercased() == "CT", decision.kind != .skipped else { return false }
        switch pixelCheck {
        case .never: return false
        case .always: return true
        case .lowConfidence:
            return decision.kind == .abstained || (decision.prediction?.confidence ?? 0) < correctThreshold
        case .sample(let percent):
            return Double(Policy.bucket(seriesInstanceUID)) < percent
        }
    }

    /// Whether `pixelCheck` may select a series before its decision is
    /// known (the proxy's question when an object arrives): false only when
    /// no decision could make `selectsPixelCheck` true (not CT, a skipped
    /// modality, `never`, outside the sample).
    public func mayPixelCheck(modality: String?, seriesInstanceUID: String) -> Bool {
        guard modality?.uppercased() == "CT", skipReason(modality: modality) == nil else { return false }
        switch pixelCheck {
        case .never: return false
        case .always, .lowConfidence: return true
        case .sample(let percent): return Double(Policy.bucket(seriesInstanceUID)) < percent
        }
    }

    /// A stable bucket 0…99 for a series (FNV-1a of its UID).
    static func bucket(_ uid: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in uid.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % 100)
    }
}
