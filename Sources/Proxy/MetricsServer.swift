import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server for `/metrics` and `/healthz`: GET only, one
/// request per connection, served on a thread of its own. Small on purpose
/// (no HTTP framework to build): Prometheus scrapes need nothing more.
final class MetricsServer: @unchecked Sendable {
    /// A response: status code, content type, body.
    typealias Response = (status: Int, contentType: String, body: [UInt8])

    let port: UInt16
    private let handler: @Sendable (String) -> Response
    private let logger: Logger
    private var socketFD: Int32 = -1
    private let stopping = NSCondition()
    private var stopRequested = false
    private var thread: Thread?

    init(port: UInt16, logger: Logger, handler: @escaping @Sendable (String) -> Response) {
        self.port = port
        self.logger = logger
        self.handler = handler
    }

    /// Binds the port (all interfaces) and starts serving.
    func start() throws(ProxyError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .listen(port: port, detail: "metrics: \(Spool.errnoText())") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = Spool.errnoText()
            close(fd)
            throw .listen(port: port, detail: "metrics: \(reason)")
        }
        socketFD = fd
        let thread = Thread { [self] in serve() }
        thread.name = "bodypart-metrics"
        self.thread = thread
        thread.start()
    }

    /// Stops serving and closes the port.
    func stop() {
        stopping.lock()
        stopRequested = true
        stopping.unlock()
        while thread?.isFinished == false { usleep(10_000) }
        if socketFD >= 0 { close(socketFD) }
        socketFD = -1
    }

    private var shouldStop: Bool {
        stopping.lock()
        defer { stopping.unlock() }
        return stopRequested
    }

    private func serve() {
        while !shouldStop {
            var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let client = accept(socketFD, nil, nil)
            guard client >= 0 else { continue }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16_384 {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            request += buffer[0..<count]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let response: Response
        if line.count >= 2, line[0] == "GET" || line[0] == "HEAD" {
            let path = String(line[1].split(separator: "?", maxSplits: 1).first ?? "")
            response = handler(path)
        } else {
            response = (405, "text/plain", Array("only GET\n".utf8))
        }
        let reason = [200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"][response.status] ?? "OK"
        let head = "HTTP/1.1 \(response.status) \(reason)\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        send(client, Array(head.utf8) + (line.first == "HEAD" ? [] : response.body))
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { if errno == EINTR { continue } else { return } }
            offset += sent
        }
    }
}
