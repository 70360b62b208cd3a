import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// The proxy's HTTP server (Hummingbird): `/metrics` and `/healthz` for
/// anyone who reaches `console.listen`, the console pages for callers with
/// a configured credential. Started and stopped by `ProxyService` from its
/// synchronous `start()`/`stop()`: the application runs in a task of its
/// own, and `start` returns once the port is bound (or throws why not).
final class ConsoleServer: @unchecked Sendable {
    /// A plain response: status code, content type, body.
    typealias Response = (status: Int, contentType: String, body: [UInt8])

    let address: String
    let port: UInt16
    private let routes: ConsoleRoutes
    private let logger: Logger
    private var task: Task<Void, Never>?
    private var group: ServiceGroup?
    private let finished = DispatchSemaphore(value: 0)

    init(address: String, port: UInt16, routes: ConsoleRoutes, logger: Logger) {
        self.address = address
        self.port = port
        self.routes = routes
        self.logger = logger
    }

    /// Binds `address:port` and starts serving; throws when the port cannot be bound.
    func start() throws(ProxyError) {
        let ready = DispatchSemaphore(value: 0)
        let failure = Failure()
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let app = Application(
            router: routes.router(),
            configuration: .init(address: .hostname(address, port: Int(port)), serverName: nil),
            onServerRunning: { _ in ready.signal() },
            logger: quiet)
        let finished = finished
        // Our own group, without signal handlers (the proxy handles SIGTERM), so that stop() can
        // shut the server down gracefully instead of cancelling it.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        self.group = group
        task = Task {
            do { try await group.run() } catch { failure.reason.withLock { $0 = "\(error)" } }
            ready.signal()
            finished.signal()
        }
        ready.wait()
        if let reason = failure.reason.withLock({ $0 }) {
            task = nil
            self.group = nil
            throw .listen(port: port, detail: "console on \(address): \(reason)")
        }
    }

    /// Why the server stopped before it ran, set by its task.
    private final class Failure: Sendable {
        let reason = Mutex<String?>(nil)
    }

    /// Stops accepting, lets requests in progress finish, closes the port.
    func stop() {
        guard task != nil, let group else { return }
        Task { await group.triggerGracefulShutdown() }
        finished.wait()
        task = nil
        self.group = nil
    }
}
