import ArgumentParser
import Proxy

/// `bodypart proxy retry`: put quarantined objects back in their queues.
struct ProxyRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Re-queue quarantined objects (all destinations, or those named).",
        discussion: "A running proxy picks them up within seconds; otherwise at its next start."
    )

    @OptionGroup var options: ProxySpoolOptions

    func run() throws {
        let spool = try ProxyStatusCommand.open(options)
        do {
            var total = 0
            for destination in spool.destinations {
                let count = try spool.requeueQuarantined(only: destination)
                total += count
                Console.out("\(destination): re-queued \(count)")
            }
            Console.out("re-queued \(total) object(s)")
            Console.flush()
        } catch {
            Console.error("\(error)")
            throw ExitStatus.ioError
        }
    }
}
