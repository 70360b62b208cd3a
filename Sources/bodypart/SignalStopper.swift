import Dispatch
import Foundation

/// Turns the first SIGINT/SIGTERM into a graceful stop request; a second one
/// ends the process at once (the run stays resumable either way).
final class SignalStopper: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(onStop: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            var count = 0
            source.setEventHandler {
                count += 1
                if count > 1 { exit(130) }
                Console.status("\nbodypart: stopping after the current batch (again to quit now)\n")
                onStop()
            }
            source.resume()
            sources.append(source)
        }
    }
}
