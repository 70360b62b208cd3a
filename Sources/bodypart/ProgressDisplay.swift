import Foundation
import Synchronization

/// Progress on stderr: a bar redrawn in place on a terminal, one line every
/// few seconds otherwise (logs, CI). Thread-safe; the CLI only.
final class ProgressDisplay: Sendable {
    private let interactive: Bool
    private let interval: Double
    private let last = Mutex<Double>(-1)
    private let start = Date()

    init(interactive: Bool = Console.stderrIsTerminal, interval: Double? = nil) {
        self.interactive = interactive
        self.interval = interval ?? (interactive ? 0.1 : 5)
    }

    /// Shows `done` of `total` (nil while unknown) with a label and extra text.
    func update(label: String, done: Int, total: Int?, extra: String = "", force: Bool = false) {
        let now = Date().timeIntervalSince(start)
        let due = last.withLock { previous -> Bool in
            guard force || now - previous >= interval else { return false }
            previous = now
            return true
        }
        guard due else { return }
        let rate = now > 0 ? Double(done) / now : 0
        var line = "\(label) \(done)"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            line += "/\(total)"
            if interactive {
                let width = 24
                let filled = Int(fraction * Double(width))
                line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total)"
            }
            if rate > 0 && done < total {
                line += " ETA \(ProgressDisplay.duration(Double(total - done) / rate))"
            }
        }
        line += String(format: " %.0f files/s", rate)
        if !extra.isEmpty { line += " " + extra }
        Console.status(interactive ? "\r\u{1B}[K" + line : line + "\n")
    }

    /// Ends an in-place bar with a newline.
    func finish() { if interactive { Console.status("\n") } }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
